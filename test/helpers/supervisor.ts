/**
 * A stand-in for systemd's Restart=always in the binary tests: a shell loop
 * that starts `relay serve` in the site's folder and starts it again,
 * half a second after it exits, whatever the exit. `relay upgrade
 * --supervisor restart-on-exit` restarts a relay kept so by stopping it.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import type { Subprocess } from 'bun';
import type { OnCleanup } from './cleanup.ts';
import { waitFor } from './wait.ts';

export interface Supervised {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Every line the relays and the loop wrote. */
  lines: string[];
  /** How many times the loop saw the relay exit. */
  exits(): number;
}

const LOOP = 'while :; do "$1" serve; echo "supervisor: relay exited with $?"; sleep 0.5; done';

/** The processes running `bin`, however it was replaced since. */
function running(bin: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const exe = readlinkSync(`/proc/${e}/exe`);
      if (exe === bin || exe === `${bin} (deleted)`) pids.push(Number(e));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** Starts the loop; after the test it is killed, then every relay it started. */
export function supervise(onCleanup: OnCleanup, bin: string, dir: string): Supervised {
  const proc = Bun.spawn(['/bin/sh', '-c', LOOP, 'supervisor', bin], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const lines: string[] = [];
  const pump = async (s: ReadableStream<Uint8Array>) => {
    let buf = '';
    for await (const chunk of s) {
      buf += new TextDecoder().decode(chunk);
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  onCleanup(async () => {
    proc.kill('SIGKILL');
    await proc.exited;
    for (const pid of running(bin)) process.kill(pid, 'SIGKILL');
    await waitFor(() => running(bin).length === 0, 'the supervised relays to end', 10_000);
  });
  return { proc, lines, exits: () => lines.filter((l) => l.startsWith('supervisor: relay exited')).length };
}
