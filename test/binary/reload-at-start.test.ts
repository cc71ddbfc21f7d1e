/**
 * A reload asked for while the relay is still starting (a SIGHUP right after
 * a restart: a config tool, a supervisor, the chaos soak) is kept and done
 * once it has started; it never ends the process, as SIGHUP's default action would.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

describe('SIGHUP during start-up', () => {
  it('is not fatal: the relay starts, serves, and reloads once it has', async () => {
    const dir = onCleanup.tempDir('relay-hup-');
    const bin = await installBinary(dir);
    writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
    const proc = Bun.spawn([bin, 'serve'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    onCleanup(() => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    });
    const lines: string[] = [];
    let hups = 0;
    // From 150 ms after the spawn (Bun's runtime is up; the program is still loading its modules,
    // reading its config and opening its spool) until the relay says it started: a SIGHUP every 3 ms.
    const started = () => lines.some((l) => l.includes('"relay started"'));
    let timer: ReturnType<typeof setInterval> | undefined;
    const begin = setTimeout(() => {
      timer = setInterval(() => {
        if (proc.exitCode === null && proc.signalCode === null && !started()) {
          proc.kill('SIGHUP');
          hups++;
        } else clearInterval(timer);
      }, 3);
    }, 150);
    void (async () => {
      let buf = '';
      for await (const chunk of proc.stdout) {
        buf += new TextDecoder().decode(chunk);
        let i: number;
        while ((i = buf.indexOf('\n')) !== -1) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      }
    })();
    await waitFor(
      () =>
        lines.some((l) => l.includes('"relay started"')) ||
        proc.killed ||
        proc.exitCode !== null ||
        proc.signalCode !== null,
      'the start',
      15_000,
    );
    clearTimeout(begin);
    clearInterval(timer);
    expect({ exit: proc.exitCode, signal: proc.signalCode }, lines.join('\n')).toEqual({ exit: null, signal: null });
    expect(hups).toBeGreaterThan(0);
    const listen = (JSON.parse(lines.find((l) => l.includes('"relay started"'))!) as { listen: string }).listen;
    expect((await fetch(`http://${listen}/health`)).status).toBe(200);
    await waitFor(() => lines.some((l) => l.includes('"config reloaded"')), 'the reload asked for during start');
  });
});
