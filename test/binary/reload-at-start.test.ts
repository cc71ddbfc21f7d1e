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

/**
 * Starts `relay serve` and, from `afterMs` after the spawn (Bun's runtime is up; the program is still
 * loading its modules, reading its config and opening its spool) until it says it started, sends a
 * SIGHUP every 3 ms. Returns how many were sent, its output, and the process.
 */
async function startUnderSighups(bin: string, dir: string, afterMs: number) {
  const proc = Bun.spawn([bin, 'serve'], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, stdout: 'pipe', stderr: 'pipe' });
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const lines: string[] = [];
  const started = () => lines.some((l) => l.includes('"relay started"'));
  const ended = () => proc.exitCode !== null || proc.signalCode !== null;
  let hups = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const begin = setTimeout(() => {
    timer = setInterval(() => {
      if (!ended() && !started()) {
        proc.kill('SIGHUP');
        hups++;
      } else clearInterval(timer);
    }, 3);
  }, afterMs);
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
  await waitFor(() => started() || ended(), 'the start', 15_000);
  clearTimeout(begin);
  clearInterval(timer);
  return { proc, lines, hups: () => hups };
}

describe('SIGHUP during start-up', () => {
  it('is not fatal: the relay starts, serves, and reloads once it has', async () => {
    const dir = onCleanup.tempDir('relay-hup-');
    const bin = await installBinary(dir);
    writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
    // A fast machine may start the relay before the first SIGHUP: then again, a little sooner.
    for (const afterMs of [150, 120, 100, 100, 100]) {
      const { proc, lines, hups } = await startUnderSighups(bin, dir, afterMs);
      expect({ exit: proc.exitCode, signal: proc.signalCode }, lines.join('\n')).toEqual({ exit: null, signal: null });
      if (hups() === 0) {
        proc.kill('SIGKILL');
        await proc.exited;
        continue;
      }
      const listen = (JSON.parse(lines.find((l) => l.includes('"relay started"'))!) as { listen: string }).listen;
      expect((await fetch(`http://${listen}/health`)).status).toBe(200);
      await waitFor(() => lines.some((l) => l.includes('"config reloaded"')), 'the reload asked for during start');
      return;
    }
    throw new Error('the relay started before any SIGHUP could be sent, five times: the test did not run');
  });
});
