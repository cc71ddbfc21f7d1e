/**
 * The admin surface served from inside the compiled binary: the page, its
 * script and /metrics come from dist/relay alone, and the password may come
 * from the environment (${ENV} in relay.toml).
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basic, configToml } from '../helpers/admin.ts';
import { installBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';

const onCleanup = useCleanup();

describe('in the compiled binary', () => {
  it('serves the page, its script and /metrics from inside dist/relay, with the password from ${ENV}', async () => {
    const dir = onCleanup.tempDir('relay-admin-bin-');
    const bin = await installBinary(dir);
    const config = join(dir, 'relay.toml');
    writeFileSync(config, configToml(dir, { password: '${RELAY_ADMIN_PASSWORD}', logLevel: 'info' }));
    const r = await startBinary(bin, ['serve', '--config', config], {
      cwd: dir,
      env: { RELAY_ADMIN_PASSWORD: 'from-env' },
    });
    onCleanup(() => stopBinary(r, 'SIGTERM'));
    const auth = { authorization: basic('admin', 'from-env') };
    expect((await fetch(`${r.url}/admin`)).status).toBe(401);
    const page = await fetch(`${r.url}/admin`, { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>EmiliaVision relay</h1>');
    expect(await (await fetch(`${r.url}/admin/app.js`, { headers: auth })).text()).toContain("'X-Relay-Admin': '1'");
    expect(await (await fetch(`${r.url}/metrics`, { headers: auth })).text()).toContain(
      '# TYPE relay_ingest_duration_seconds histogram',
    );
  });
});
