/**
 * A token is a secret whatever its TOML type: one written without quotes (a
 * number) is refused naming its key and line, and shown by its first 8
 * characters only, by `relay check` and by the reload's 422.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basic, configToml } from '../helpers/admin.ts';
import { installSite, runBinary, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';

const onCleanup = useCleanup();
const DIGITS = '4711081547110815';
const NUMERIC = `[[tokens]]\nname = "Bar"\ntoken = ${DIGITS}\n`;

describe('a token written as a number is never echoed whole', () => {
  it('relay check names tokens[…].token and its line and shows 8 characters', async () => {
    const dir = onCleanup.tempDir('relay-token-mask-');
    const site = await installSite(onCleanup, configToml(dir, { extra: NUMERIC }));
    const r = runBinary(site.bin, ['check', '--config', join(site.dir, 'relay.toml')], site.dir);
    const out = r.stdout + r.stderr;
    expect(r.code).not.toBe(0);
    expect(out).toMatch(/tokens\[\d+\]\.token: expected a non-empty string, got the number 47110815… \(line \d+\)/);
    expect(out).not.toContain(DIGITS.slice(0, 9));
  });

  it("the reload's 422 and its log line show only the first 8 characters", async () => {
    const dir = onCleanup.tempDir('relay-token-mask-');
    const site = await installSite(onCleanup, configToml(dir, { password: 'pw', logLevel: 'info' }));
    const r = await serveSite(onCleanup, site.bin, site.dir);
    writeFileSync(join(site.dir, 'relay.toml'), configToml(dir, { password: 'pw', logLevel: 'info', extra: NUMERIC }));
    const res = await fetch(`${r.url}/admin/api/reload`, {
      method: 'POST',
      headers: { authorization: basic('admin', 'pw'), 'x-relay-admin': '1' },
    });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain('got the number 47110815…');
    expect(body).not.toContain(DIGITS.slice(0, 9));
    expect(r.lines.join('\n')).not.toContain(DIGITS.slice(0, 9));
  });
});
