/**
 * Started by hand under the usual umask 022 (not through the systemd unit's
 * UMask=0077), the compiled relay still makes its spool, WAL, lock and log
 * owner-only; relay doctor warns about a file another account can read.
 */
import { describe, expect, it } from 'bun:test';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { installSite, runBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { logFileLines as lines } from '../helpers/log.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const modeOf = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe('the relay keeps its files to its owner', () => {
  it('creates the spool, its -wal, -shm and lock, and the log 0600 under umask 022; doctor flags a 0644 one', async () => {
    const site = await installSite(
      onCleanup,
      relayToml({ cloudUrl: 'http://127.0.0.1:9', config: { log: { file: 'logs/relay.log' } } }),
    );
    // By hand through sh, as a technician starts it from a shell; with log.file the
    // port (the config says 0) is read from the "relay started" line in the file.
    const log = join(site.dir, 'logs', 'relay.log');
    const proc = Bun.spawn(['/bin/sh', '-c', `umask 022; exec '${site.bin}' serve`], {
      cwd: site.dir,
      env: { PATH: '/usr/bin:/bin' },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    onCleanup(() => proc.kill('SIGKILL'));
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('"relay started"'), 'the start line');
    const started = lines(log).find((l) => l.msg === 'relay started') as unknown as { listen: string };
    expect((await post(`http://${started.listen}`, TOKEN, '{"event":"order_created"}')).status).toBe(200);
    const spoolDir = join(site.dir, 'spool');
    const made = [...readdirSync(spoolDir).map((f) => join(spoolDir, f)), join(site.dir, 'logs', 'relay.log')];
    expect(made.map((f) => f.slice(site.dir.length + 1)).sort()).toEqual([
      'logs/relay.log',
      'spool/relay.db',
      'spool/relay.db-shm',
      'spool/relay.db-wal',
      'spool/relay.db.lock',
    ]);
    expect(made.map((f) => [f, modeOf(f)])).toEqual(made.map((f) => [f, '600']));
    expect(modeOf(spoolDir)).toBe('700');
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    chmodSync(join(spoolDir, 'relay.db'), 0o644);
    const doctor = runBinary(site.bin, ['doctor', '--json'], site.dir, {}, 20_000);
    const files = (
      JSON.parse(doctor.stdout) as { checks: { check: string; status: string; message: string }[] }
    ).checks.find((c) => c.check === 'files');
    expect(files).toEqual({
      check: 'files',
      status: 'warn',
      message: expect.stringContaining(`${join(spoolDir, 'relay.db')} (0644, group and others)`),
    });
    expect(files!.message).not.toContain('relay.db-wal');
  });
});
