/**
 * A soak whose own timers stop would hang `make test` for ever, relay and
 * all. The watchdog is a separate shell process that reads a heartbeat file
 * the soak's watcher touches every tick: when it goes stale it says so on
 * stderr, kill -9s the relay (its pid in a file) and then the soak itself.
 */
import { writeFileSync } from 'node:fs';

const SCRIPT = `
hb="$1"; relaypid="$2"; soak="$3"; limit="$4"
while kill -0 "$soak" 2>/dev/null; do
  sleep 2
  [ -f "$hb" ] || exit 0
  age=$(( $(date +%s) - $(stat -c %Y "$hb") ))
  if [ "$age" -gt "$limit" ]; then
    echo "soak watchdog: the soak (pid $soak) has shown no sign of life for $age s; $(cat "$hb.what" 2>/dev/null); killing the relay and the soak" >&2
    r=$(cat "$relaypid" 2>/dev/null); [ -n "$r" ] && kill -9 "$r" 2>/dev/null
    kill -9 "$soak"
    exit 1
  fi
done
`;

export interface Watchdog {
  beat(): void;
  relayPid(pid: number | null): void;
  /** The replay line the watchdog prints if it has to act. */
  stop(): void;
}

export function startWatchdog(dir: string, limitSeconds: number, what: string): Watchdog {
  const hb = `${dir}/heartbeat`;
  const pidFile = `${dir}/relay.pid`;
  writeFileSync(hb, '');
  writeFileSync(`${hb}.what`, what);
  const proc = Bun.spawn(['bash', '-c', SCRIPT, 'watchdog', hb, pidFile, String(process.pid), String(limitSeconds)], {
    stdin: 'ignore',
    stdout: 'inherit',
    stderr: 'inherit',
  });
  let last = 0;
  return {
    beat() {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      writeFileSync(hb, String(now));
    },
    relayPid(pid) {
      writeFileSync(pidFile, pid === null ? '' : String(pid));
    },
    stop() {
      proc.kill('SIGKILL');
    },
  };
}
