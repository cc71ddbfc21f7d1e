/**
 * The README's Linux install steps, on the compiled binary under a temporary
 * root: install, init, check (with relay.env), service install, and the unit's
 * ExecStart serving a webhook and forwarding it. `relay init` itself is
 * test/integration/init.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { iniValues } from '../helpers/install.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const dir = () => onCleanup.tempDir('relay-init-');

describe('the README Linux steps, on the compiled binary', () => {
  it("install → init → check → service install → the unit's ExecStart serves a webhook and forwards it", async () => {
    const cloud = await startMockCloud();
    onCleanup(() => cloud.stop());
    // The README's layout under a temporary root: /usr/local/bin, /var/lib/relay, /etc/systemd/system.
    const root = dir();
    const bin = join(root, 'usr', 'local', 'bin', 'relay');
    mkdirSync(dirname(bin), { recursive: true });
    copyFileSync(await installBinary(dir()), bin);
    const work = join(root, 'var', 'lib', 'relay');
    const config = join(work, 'relay.toml');
    const unitPath = join(root, 'etc', 'systemd', 'system', 'relay.service');
    expect(runBinary(bin, ['version'], root).code).toBe(0);
    const init = runBinary(
      bin,
      ['init', '--config', config, '--token', TOKEN, '--admin-password-env', 'RELAY_ADMIN_PASSWORD'],
      root,
    );
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(runBinary(bin, ['check', '--config', config], root).code).toBe(2); // the password is not set yet
    writeFileSync(join(work, 'relay.env'), 'RELAY_ADMIN_PASSWORD=choose-a-long-one\n');
    const check = runBinary('/bin/sh', ['-c', `set -a; . ${work}/relay.env; ${bin} check --config ${config}`], root);
    expect(check.stdout).toContain('ok (1 token(s)');
    expect(check.code).toBe(0);
    const install = runBinary(bin, ['service', 'install', '--config', config, '--unit-path', unitPath], root);
    expect(install.stderr).toBe('');
    expect(install.stdout).toContain('sudo systemctl daemon-reload && sudo systemctl enable --now relay.service');
    const unit = iniValues(readFileSync(unitPath, 'utf8'));
    // The technician's edits: the port and, here, the cloud's address.
    writeFileSync(
      config,
      readFileSync(config, 'utf8')
        .replace('port = 8080', 'port = 0')
        .replace('https://api.emiliavision.com', cloud.url),
    );
    // What systemd would start: ExecStart in WorkingDirectory with relay.env's variables.
    const [exec, ...args] = unit.get('ExecStart')![0]!.split(' ');
    expect(exec).toBe(bin);
    const relay = await startBinary(exec!, args, {
      cwd: unit.get('WorkingDirectory')![0]!,
      env: { RELAY_ADMIN_PASSWORD: 'choose-a-long-one' },
    });
    onCleanup(() => stopBinary(relay));
    const res = await post(relay.url, TOKEN, ORDER_CREATED);
    expect(res.status).toBe(200);
    await waitFor(() => cloud.stored.length === 1, 'delivery to the mock cloud');
    expect(cloud.stored[0]!.text).toBe(ORDER_CREATED);
    expect(existsSync(join(work, 'data', 'relay.db'))).toBe(true);
    relay.proc.kill('SIGTERM'); // systemd's KillSignal
    expect(await relay.exited).toBe(0);
  });
});
