/**
 * `relay init` through the CLI in this process: the file it writes explains
 * every key, holds the tokens given (readable by its owner only), keeps the
 * admin password in the environment, never overwrites without --force, and
 * with --tls makes a certificate an in-process relay serves HTTPS with. The
 * README's install steps on the compiled binary are test/binary/init.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigSchema, TokenSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { startRelay } from '../../src/relay.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, TOKEN2 } from '../helpers/config.ts';
import { cli } from '../helpers/install.ts';
import { itUnless } from '../helpers/skip.ts';

const onCleanup = useCleanup();
const dir = () => onCleanup.tempDir('relay-init-');

/** The lines of `[section]` (or of the first `[[section]]`) up to the next header. */
function sectionLines(text: string, section: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `[${section}]` || l === `[[${section}]]`);
  if (start < 0) throw new Error(`no [${section}] in the generated config`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('['));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('relay init', () => {
  it('explains every key of the schema with a comment right above it', async () => {
    const d = dir();
    expect((await cli(['init', '--token', TOKEN], { cwd: d })).code).toBe(0);
    const text = readFileSync(join(d, 'relay.toml'), 'utf8');
    const sections: [string, object][] = Object.entries(ConfigSchema.properties).map(([name, schema]) => [
      name,
      name === 'tokens' ? TokenSchema.properties : (schema as { properties: object }).properties,
    ]);
    expect(sections.length).toBe(12);
    for (const [section, props] of sections) {
      const lines = sectionLines(text, section);
      for (const key of Object.keys(props)) {
        const at = lines.findIndex((l) => l.startsWith(`${key} = `));
        expect(at, `${section}.${key} is written`).toBeGreaterThan(0);
        expect(lines[at - 1], `${section}.${key} has a comment above it`).toMatch(/^# \S/);
      }
    }
  });

  it('writes the tokens given on the command line into a file relay check accepts', async () => {
    const d = dir();
    const r = await cli(['init', '--config', 'site/relay.toml', '--token', TOKEN, '--token', TOKEN2], { cwd: d });
    expect(r.code).toBe(0);
    const path = join(d, 'site', 'relay.toml');
    expect((await cli(['check', '--config', path], { cwd: d })).code).toBe(0);
    const loaded = loadConfig(path, {});
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.config.tokens.map((t) => [t.token, t.active])).toEqual([
      [TOKEN, true],
      [TOKEN2, true],
    ]);
    expect(loaded.config.admin.password).toBe('');
    expect(loaded.config.spool.path).toBe(join(d, 'site', 'data', 'relay.db'));
    // The file holds the tokens: readable by its owner only. The output shows 8 characters of each.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(r.out).toContain(TOKEN.slice(0, 8));
    expect(r.out + r.err).not.toContain(TOKEN);
    expect(r.out + r.err).not.toContain(TOKEN2);
  });

  it('keeps the admin password in the environment: check names the unset variable, then accepts the file', async () => {
    const d = dir();
    const r = await cli(['init', '--token', TOKEN, '--admin-password-env', 'RELAY_ADMIN_PASSWORD'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.out).toContain('RELAY_ADMIN_PASSWORD');
    expect(readFileSync(join(d, 'relay.toml'), 'utf8')).toContain('password = "${RELAY_ADMIN_PASSWORD}"');
    const unset = await cli(['check'], { cwd: d });
    expect(unset.code).toBe(2);
    expect(unset.err).toMatch(/admin\.password: environment variable RELAY_ADMIN_PASSWORD is not set \(line \d+\)/);
    expect((await cli(['check'], { cwd: d, env: { RELAY_ADMIN_PASSWORD: 's3cret-pass' } })).code).toBe(0);
  });

  it('without --token reads the token from RELAY_TOKEN', async () => {
    const d = dir();
    expect((await cli(['init'], { cwd: d })).code).toBe(0);
    expect((await cli(['check'], { cwd: d })).err).toContain('RELAY_TOKEN is not set');
    expect((await cli(['check'], { cwd: d, env: { RELAY_TOKEN: TOKEN } })).code).toBe(0);
  });

  it('writes out the language of the session it runs in, so a service without LANG still speaks it', async () => {
    const d = dir();
    expect((await cli(['init', '--token', TOKEN], { cwd: d, env: { LANG: 'pt_BR.UTF-8' } })).code).toBe(0);
    expect(readFileSync(join(d, 'relay.toml'), 'utf8')).toContain('\nlanguage = "pt-BR"\n');
    const loaded = loadConfig(join(d, 'relay.toml'), {});
    expect(loaded.ok && loaded.config.site.language).toBe('pt-BR');
  });

  it('refuses to overwrite an existing file without --force and leaves it as it was', async () => {
    const d = dir();
    const path = join(d, 'relay.toml');
    writeFileSync(path, '# hand-edited\n');
    const r = await cli(['init', '--token', TOKEN], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path} already exists`);
    expect(r.err).toContain('--force');
    expect(readFileSync(path, 'utf8')).toBe('# hand-edited\n');
    expect((await cli(['init', '--token', TOKEN, '--force'], { cwd: d })).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain(`token = "${TOKEN}"`);
    // The old file was world-readable; the new one holds a token.
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('rejects a token that cannot be one URL path segment, or one given twice, without printing it', async () => {
    const d = dir();
    for (const bad of [['a/b-token-123'], ['has space-123'], [TOKEN, TOKEN]]) {
      const r = await cli(['init', ...bad.flatMap((t) => ['--token', t])], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.err).not.toContain(bad[0]!);
    }
    expect(existsSync(join(d, 'relay.toml'))).toBe(false);
  });

  itUnless(!Bun.which('openssl') && 'no openssl CLI here (make clients installs it)')(
    '--tls writes a certificate and key the relay serves HTTPS with, valid for 127.0.0.1',
    async () => {
      const d = dir();
      const r = await cli(['init', '--token', TOKEN, '--tls'], { cwd: d });
      expect(r.code).toBe(0);
      expect(statSync(join(d, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
      const loaded = loadConfig(join(d, 'relay.toml'), {});
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      const relay = await startRelay(
        { ...loaded.config, server: { ...loaded.config.server, port: 0 } },
        { log: silentLogger },
      );
      onCleanup(() => relay.stop());
      expect(relay.url).toStartWith('https://');
      // Verified against the generated certificate itself: the SAN must cover 127.0.0.1.
      const ca = readFileSync(join(d, 'tls', 'cert.pem'), 'utf8');
      const res = await fetch(`${relay.url.replace('localhost', '127.0.0.1')}/health`, { tls: { ca } });
      expect(res.status).toBe(200);
      // A second --tls run must not replace the certificate the POS already trusts.
      const again = await cli(['init', '--token', TOKEN, '--tls', '--config', 'other.toml'], { cwd: d });
      expect(again.code).toBe(1);
      expect(again.err).toContain('cert.pem already exists');
      expect(readFileSync(join(d, 'tls', 'cert.pem'), 'utf8')).toBe(ca);
    },
  );
});
