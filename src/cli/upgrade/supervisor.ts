/**
 * What keeps the relay running, and how `relay upgrade` restarts it through
 * that: a systemd unit (found from the running relay's cgroup), the Windows
 * service and its wrapper (`relay service install`), or any supervisor that
 * starts the relay again when it exits (runit, s6, a container's restart
 * policy), named with --supervisor restart-on-exit. With none the upgrade
 * cannot restart: it says so and leaves the swap for the next start.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, win32 } from 'node:path';
import { DEFAULT_UNIT_PATH } from '../service/systemd.ts';
import { parseScQcProgram, parseScQuery, wrapperFor } from '../service/windows.ts';

export const SUPERVISORS = ['auto', 'systemd', 'windows', 'restart-on-exit', 'none'] as const;
export type SupervisorChoice = (typeof SUPERVISORS)[number];

export interface Supervisor {
  kind: Exclude<SupervisorChoice, 'auto'>;
  /** "systemd unit relay.service", for the report. */
  name: string;
  /** Stops the running relay and has the supervisor start the binary now at its path; throws with the reason. */
  restart(): Promise<void>;
}

/** Linux: the processes running `binary` (also once it was replaced: "(deleted)"), this one left out. */
export function relayPids(binary: string): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (exe === binary || exe === `${binary} (deleted)`) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Linux: the processes running the file now at `binary` (not a replaced one). */
export function runningFile(binary: string): number[] {
  return relayPids(binary).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === binary;
    } catch {
      return false;
    }
  });
}

/** The systemd service a process runs in, from its cgroup ("0::/system.slice/relay.service"); user sessions are not one. */
export function unitOf(cgroup: string): string | null {
  for (const line of cgroup.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    const m = /\/([^/]+\.service)$/.exec(path);
    if (m && !/^user@|^session-/.test(m[1]!) && !path.includes('/user.slice/')) return m[1]!;
  }
  return null;
}

const run = (argv: string[]) => {
  const p = Bun.spawnSync(argv, { stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode, out: `${p.stdout.toString()}${p.stderr.toString()}`.trim() };
};

const gone = async (pids: number[], ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  for (;;) {
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (alive.length === 0) return true;
    if (Date.now() > end) return false;
    await Bun.sleep(100);
  }
};

function systemd(unit: string): Supervisor {
  return {
    kind: 'systemd',
    name: `systemd unit ${unit}`,
    async restart() {
      const r = run(['systemctl', 'restart', unit]);
      if (r.code !== 0) throw new Error(`systemctl restart ${unit} exited with ${r.code}: ${r.out}`);
    },
  };
}

function windows(service: string): Supervisor {
  const query = () => {
    const r = run(['sc.exe', 'query', service]);
    return parseScQuery(r.code, r.out);
  };
  const until = async (state: string, ms: number) => {
    const end = Date.now() + ms;
    while (query() !== state) {
      if (Date.now() > end) throw new Error(`service ${service} did not reach ${state} in ${ms / 1000} s`);
      await Bun.sleep(500);
    }
  };
  return {
    kind: 'windows',
    name: `Windows service ${service}`,
    async restart() {
      // A graceful stop (the wrapper closes the relay's input), then a start of the file now in place.
      run(['sc.exe', 'stop', service]);
      await until('STOPPED', 40_000);
      const r = run(['sc.exe', 'start', service]);
      if (r.code !== 0) throw new Error(`sc.exe start ${service} exited with ${r.code}: ${r.out}`);
    },
  };
}

function restartOnExit(binary: string): Supervisor {
  return {
    kind: 'restart-on-exit',
    name: 'the supervisor that restarts the relay when it exits',
    async restart() {
      const pids = relayPids(binary);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      // SIGTERM lets the relay finish its write batch; one that hangs is not left holding the spool.
      if (!(await gone(pids, 35_000))) for (const pid of pids) process.kill(pid, 'SIGKILL');
    },
  };
}

const none: Supervisor = {
  kind: 'none',
  name: 'no service',
  async restart() {
    throw new Error('the relay does not run under a service this command can restart');
  },
};

/**
 * The supervisor asked for, or (auto) the one the running relay is found
 * under: on Linux the systemd unit of a process running `binary`, on Windows
 * the service `service` when its wrapper is the one beside `binary`.
 */
export function findSupervisor(choice: SupervisorChoice, binary: string, service: string, unit?: string): Supervisor {
  if (choice === 'none') return none;
  if (choice === 'restart-on-exit') return restartOnExit(binary);
  if (choice === 'windows') return windows(service);
  if (choice === 'systemd' && unit) return systemd(unit);
  if (process.platform === 'win32') {
    if (choice === 'systemd') return none;
    const wrapper = wrapperFor(binary);
    const program = parseScQcProgram(run(['sc.exe', 'qc', service]).out);
    if (program) return win32.normalize(program).toLowerCase() === wrapper.toLowerCase() ? windows(service) : none;
    // Wine's sc has no qc (it prints nothing): a service of that name and the wrapper install wrote beside this relay.
    const q = run(['sc.exe', 'query', service]);
    const state = parseScQuery(q.code, q.out);
    return state !== undefined && state !== 'missing' && existsSync(wrapper) ? windows(service) : none;
  }
  for (const pid of relayPids(binary)) {
    try {
      const found = unitOf(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
      if (found) return systemd(found);
    } catch {
      // gone meanwhile
    }
  }
  // Not running now (stopped, or failing to start): the unit `relay service install` writes, if it runs this binary.
  const named = unit ?? basename(DEFAULT_UNIT_PATH);
  try {
    const r = run(['systemctl', 'show', '-p', 'ExecStart', '--value', named]);
    if (r.code === 0 && r.out.includes(`path=${binary} `)) return systemd(named);
  } catch {
    // no systemctl here
  }
  return none;
}
