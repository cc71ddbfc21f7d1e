/**
 * log.file in the compiled binary: the whole log (start to stop) goes to the
 * file, stderr says where, stdout stays empty; a file that cannot be written
 * stops start-up naming log.file. The file logger itself is
 * test/unit/log-file.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configToml } from '../helpers/admin.ts';
import { installBinary, runBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { logFileLines as lines } from '../helpers/log.ts';
import { ORDER_CREATED, post, TOKEN } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

describe('log.file in the binary', () => {
  const withFile = (dir: string, file: string) => configToml(dir, { logLevel: 'info', config: { log: { file } } });

  it('writes the whole log to the file (start, stop) and says where on stderr', async () => {
    const dir = onCleanup.tempDir('relay-logfile-bin-');
    const bin = await installBinary(dir);
    writeFileSync(join(dir, 'relay.toml'), withFile(dir, 'logs/relay.log'));
    const log = join(dir, 'logs', 'relay.log');
    // Spawned by hand, not with startBinary: stdout stays empty, so the port
    // (the config says 0) is read from the "relay started" line in the file.
    const proc = Bun.spawn([bin, 'serve', '--config', 'relay.toml'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    onCleanup(() => proc.kill('SIGKILL'));
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('"relay started"'), 'the start line');
    const started = lines(log).find((l) => l.msg === 'relay started') as unknown as { listen: string };
    expect((await post(`http://${started.listen}`, TOKEN, ORDER_CREATED)).status).toBe(200);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(lines(log).at(-1)!.msg).toBe('relay stopped');
    expect(await new Response(proc.stdout).text()).toBe('');
    expect(await new Response(proc.stderr).text()).toBe(`relay: logging to ${log}\n`);
  });

  it('refuses to start when the file cannot be written, naming log.file', async () => {
    const dir = onCleanup.tempDir('relay-logfile-bin-bad-');
    const bin = await installBinary(dir);
    writeFileSync(join(dir, 'a-file'), '');
    writeFileSync(join(dir, 'relay.toml'), withFile(dir, 'a-file/relay.log'));
    const r = runBinary(bin, ['serve', '--config', 'relay.toml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `relay: config log.file (${join(dir, 'a-file', 'relay.log')}): cannot write the log there:`,
    );
  });
});
