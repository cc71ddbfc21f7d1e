import { afterEach, describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileLogger } from '../src/lib/log.ts';
import { configToml } from './helpers/admin.ts';
import { installBinary, runBinary } from './helpers/binary.ts';
import { ORDER_CREATED, post, TOKEN, tempDir } from './helpers/relay.ts';
import { waitFor } from './helpers/wait.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; i?: number });

describe('log.file', () => {
  it('appends JSON lines to the file, and past its size moves them to <file>.1 and starts again', () => {
    const tmp = tempDir('relay-logfile-');
    cleanups.push(tmp.cleanup);
    const path = join(tmp.dir, 'logs', 'relay.log'); // the folder is created
    const f = createFileLogger('info', path, { maxBytes: 2000, checkEveryMs: 3_600_000 });
    cleanups.push(() => f.stop());
    for (let i = 0; i < 5; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(false); // ~500 bytes: below the limit
    for (let i = 5; i < 40; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(true);
    expect(lines(`${path}.1`).map((l) => l.i)).toEqual([...Array(40).keys()]);
    f.logger.info({ i: 40 }, 'line');
    expect(lines(path).map((l) => l.msg)).toEqual(['log file rotated', 'line']);
    // A second rotation replaces the older file: two files at most.
    for (let i = 41; i < 80; i++) f.logger.info({ i }, 'line');
    expect(f.rotateIfLarge()).toBe(true);
    expect(lines(`${path}.1`).at(-1)!.i).toBe(79);
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('throws, naming the reason, when the file cannot be created', () => {
    const tmp = tempDir('relay-logfile-bad-');
    cleanups.push(tmp.cleanup);
    writeFileSync(join(tmp.dir, 'not-a-dir'), '');
    expect(() => createFileLogger('info', join(tmp.dir, 'not-a-dir', 'relay.log'))).toThrow(
      /EEXIST|ENOTDIR|not a directory/,
    );
  });
});

describe('log.file in the binary', () => {
  const withFile = (dir: string, file: string) =>
    configToml(dir, { logLevel: 'info' }).replace('level = "info"', `level = "info"\nfile = ${JSON.stringify(file)}`);

  it('writes the whole log to the file (start, stop) and says where on stderr', async () => {
    const tmp = tempDir('relay-logfile-bin-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    writeFileSync(join(tmp.dir, 'relay.toml'), withFile(tmp.dir, 'logs/relay.log'));
    const log = join(tmp.dir, 'logs', 'relay.log');
    const proc = Bun.spawn([bin, 'serve', '--config', 'relay.toml'], {
      cwd: tmp.dir,
      env: { PATH: '/usr/bin:/bin' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    cleanups.push(() => proc.kill('SIGKILL'));
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
    const tmp = tempDir('relay-logfile-bin-bad-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    writeFileSync(join(tmp.dir, 'a-file'), '');
    writeFileSync(join(tmp.dir, 'relay.toml'), withFile(tmp.dir, 'a-file/relay.log'));
    const r = runBinary(bin, ['serve', '--config', 'relay.toml'], tmp.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `relay: config log.file (${join(tmp.dir, 'a-file', 'relay.log')}): cannot write the log there:`,
    );
  });
});
