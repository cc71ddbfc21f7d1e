import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, win32 } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { type Command, type Io, parseCommandArgs, UsageError } from '../context.ts';
import { DEFAULT_UNIT_PATH, systemdUnit, wantsLink } from '../service/systemd.ts';
import {
  binaryFor,
  checkConfig,
  configFor,
  hostPlatform,
  type Platform,
  ServiceSetupError,
} from '../service/target.ts';
import {
  commandLine,
  DEFAULT_SERVICE_NAME,
  installPlan,
  parseScQcProgram,
  parseScQuery,
  type ServiceState,
  type Step,
  uninstallPlan,
  WRAPPER_FILE,
  wrapperFor,
} from '../service/windows.ts';
import { embeddedWrapper, placeWrapper } from '../service/wrapper.ts';

const USAGE = `relay service print|install|uninstall [options]
  print [--systemd|--windows]   print the systemd unit or the Windows service's sc.exe commands (default: this platform's)
  install                       Linux: write the systemd unit; Windows: register the service (started at boot)
  uninstall                     remove them again
options:
  --config FILE      the config the service runs with (default ./relay.toml, then $RELAY_CONFIG)
  --binary PATH      the relay binary (default: this one)
  --unit-path PATH   Linux: where the unit goes (default ${DEFAULT_UNIT_PATH})
  --name NAME        Windows: the service's name (default "${DEFAULT_SERVICE_NAME}")
  --now              install: also start it now (systemctl enable --now / sc.exe start);
                     uninstall (Linux): stop it first; on Windows uninstall always stops it
  --force            install even though the config has problems`;

export const service: Command = {
  name: 'service',
  summary: 'start the relay at boot: a systemd unit (Linux) or a Windows service',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'service',
      args,
      {
        systemd: { type: 'boolean' },
        windows: { type: 'boolean' },
        binary: { type: 'string' },
        'unit-path': { type: 'string' },
        name: { type: 'string' },
        now: { type: 'boolean' },
        force: { type: 'boolean' },
      },
      true,
    );
    const [action, ...extra] = positionals;
    if (!action || !['print', 'install', 'uninstall'].includes(action) || extra.length > 0) {
      throw new UsageError(
        `relay service: expected print, install or uninstall, got ${JSON.stringify(positionals.join(' '))}`,
      );
    }
    if (values.systemd && values.windows) throw new UsageError('relay service: --systemd or --windows, not both');
    const host = hostPlatform();
    const asked: Platform | undefined = values.systemd ? 'systemd' : values.windows ? 'windows' : undefined;
    if (action !== 'print' && asked && asked !== host) {
      throw new UsageError(
        `relay service ${action}: installs only for this machine (${process.platform}); use print --${asked} to see the file`,
      );
    }
    const platform = asked ?? host;
    if (!platform) {
      io.err(
        `relay service: supported on Linux (systemd) and Windows; this is ${process.platform}. Start \`relay serve\` with your system's service manager.`,
      );
      return 2;
    }
    try {
      if (action === 'print') return print(platform, values, io);
      if (platform === 'systemd') {
        const unitPath = resolve(io.cwd, values['unit-path'] ?? DEFAULT_UNIT_PATH);
        return action === 'install'
          ? installSystemd(unitPath, values, io)
          : uninstallSystemd(unitPath, values.now === true, io);
      }
      const name = values.name ?? DEFAULT_SERVICE_NAME;
      return action === 'install' ? await installWindows(name, values, io) : await uninstallWindows(name, io);
    } catch (e) {
      if (e instanceof ServiceSetupError) {
        io.err(e.message);
        return 2;
      }
      throw e;
    }
  },
};

interface Values {
  config?: string;
  binary?: string;
  now?: boolean;
  force?: boolean;
}

function print(platform: Platform, values: Values, io: Io): number {
  const binary = binaryFor(platform, values.binary, io);
  const config = configFor(platform, values.config, io);
  if (platform === 'systemd') io.out(systemdUnit({ binary, config }).trimEnd());
  else for (const step of installPlan(DEFAULT_SERVICE_NAME, { binary, config }, true)) io.out(commandLine(step.argv));
  return 0;
}

/** Refuses a config the relay would not start with, unless --force; returns what the unit must also make writable. */
function checked(config: string, envFile: string | undefined, force: boolean, io: Io): string[] | undefined {
  const c = checkConfig(config, io, envFile);
  if (c.ok) return c.extraWritable;
  for (const p of c.problems) io.err(p);
  if (force) {
    io.err('relay service install: installing anyway (--force); the relay will not start until the config is fixed');
    return [];
  }
  io.err(`relay service install: nothing installed. Fix the config (relay check --config ${config}) or pass --force`);
  return undefined;
}

function installSystemd(unitPath: string, values: Values, io: Io): number {
  const binary = binaryFor('systemd', values.binary, io);
  const config = configFor('systemd', values.config, io);
  const extraWritable = checked(config, join(dirname(config), 'relay.env'), values.force === true, io);
  if (!extraWritable) return 2;
  const unit = basename(unitPath);
  const systemctl = values.now ? systemctlOrExplain(io) : undefined;
  if (values.now && !systemctl) return 1;
  try {
    mkdirSync(dirname(unitPath), { recursive: true });
    writeFileSync(unitPath, systemdUnit({ binary, config, extraWritable }), { mode: 0o644 });
  } catch (e) {
    io.err(
      `relay service install: cannot write ${unitPath}: ${(e as Error).message} (run it as root: sudo relay service install ...)`,
    );
    return 1;
  }
  io.out(`wrote ${unitPath} (runs ${binary} serve --config ${config})`);
  const steps = [['daemon-reload'], ['enable', '--now', unit]];
  if (!systemctl) {
    io.out(`start it now and at every boot:\n  sudo systemctl daemon-reload && sudo systemctl enable --now ${unit}`);
    io.out(`then: systemctl status ${unit}   logs: journalctl -u ${unit} -f`);
    return 0;
  }
  for (const s of steps) if (!systemctlStep(systemctl, s, io)) return 1;
  io.out(`${unit} is enabled and started; logs: journalctl -u ${unit} -f`);
  return 0;
}

function uninstallSystemd(unitPath: string, now: boolean, io: Io): number {
  const unit = basename(unitPath);
  let systemctl: string | undefined;
  if (now) {
    systemctl = systemctlOrExplain(io);
    if (!systemctl || !systemctlStep(systemctl, ['disable', '--now', unit], io)) return 1;
  } else if (isLink(wantsLink(unitPath))) {
    // Removing the file of an enabled unit leaves a dangling link and, until reboot, a running relay.
    io.err(
      `relay service uninstall: ${unit} is enabled (${wantsLink(unitPath)} exists). ` +
        `Stop and disable it first: sudo systemctl disable --now ${unit}, or pass --now`,
    );
    return 2;
  }
  if (!existsSync(unitPath)) {
    io.out(`no unit at ${unitPath}; nothing to remove`);
    return 0;
  }
  rmSync(unitPath);
  io.out(`removed ${unitPath}`);
  if (systemctl) return systemctlStep(systemctl, ['daemon-reload'], io) ? 0 : 1;
  io.out('then: sudo systemctl daemon-reload');
  return 0;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** systemctl only talks to a running systemd; /run/systemd/system is how sd_booted(3) tells. */
function systemctlOrExplain(io: Io): string | undefined {
  const systemctl = Bun.which('systemctl', { PATH: io.env.PATH ?? '/usr/bin:/bin' });
  if (systemctl && existsSync('/run/systemd/system')) return systemctl;
  io.err(
    `relay service --now: systemd is not running on this machine (${systemctl ? 'no /run/systemd/system' : 'no systemctl on PATH'}); ` +
      'start the relay another way, e.g. relay serve',
  );
  return undefined;
}

function systemctlStep(systemctl: string, args: string[], io: Io): boolean {
  const p = Bun.spawnSync([systemctl, ...args], { stdout: 'pipe', stderr: 'pipe' });
  if (p.exitCode === 0) return true;
  io.err(`relay service: systemctl ${args.join(' ')} exited with ${p.exitCode}: ${p.stderr.toString().trim()}`);
  return false;
}

async function installWindows(name: string, values: Values, io: Io): Promise<number> {
  const binary = binaryFor('windows', values.binary, io);
  const config = configFor('windows', values.config, io);
  if (!checked(config, undefined, values.force === true, io)) return 2;
  const state = scState(name);
  if (state !== 'missing') {
    io.err(
      `relay service install: a service named "${name}" exists already (${state ?? 'state unknown'}); ` +
        'to replace it (a new relay.exe, another config): relay service uninstall, then install again',
    );
    return 2;
  }
  const bytes = await embeddedWrapper();
  if (!bytes) {
    io.err(
      `relay service install: this relay.exe carries no relay-service.exe (a build without mingw-w64?); use a release build`,
    );
    return 1;
  }
  const wrapper = wrapperFor(binary);
  try {
    if (placeWrapper(wrapper, bytes) === 'written') io.out(`wrote ${wrapper}`);
  } catch (e) {
    io.err(
      `relay service install: cannot write ${wrapper}: ${(e as Error).message} (run it from an Administrator PowerShell)`,
    );
    return 1;
  }
  if (!loggingToFile(config, io)) {
    io.out(
      `note: [log] file is not set in ${config}; the relay's log goes to relay-service.log beside it, which is ` +
        'renamed to relay-service.log.1 past 10 MB only when the relay restarts. Set file = "relay.log" for a rotated log.',
    );
  }
  const code = await run(installPlan(name, { binary, config }, values.now === true), name, io);
  if (code === 0) {
    io.out(`service "${name}" starts the relay at boot as LocalSystem, and again within seconds if it exits.`);
    if (!values.now) io.out(`start it now: ${commandLine(['sc.exe', 'start', name])}`);
  }
  return code;
}

async function uninstallWindows(name: string, io: Io): Promise<number> {
  if (scState(name) === 'missing') {
    io.out(`no service named "${name}"; nothing to remove`);
    return 0;
  }
  const qc = Bun.spawnSync(['sc.exe', 'qc', name], { stdout: 'pipe', stderr: 'pipe' });
  const program = parseScQcProgram(qc.stdout.toString());
  const code = await run(uninstallPlan(name), name, io);
  if (code !== 0) return code;
  // Only a file of ours: a service of this name registered otherwise keeps its program. Wine's
  // sc has no qc (it prints nothing); then the wrapper is the one install wrote beside this relay.exe.
  const wrapper = program
    ? win32.basename(program).toLowerCase() === WRAPPER_FILE
      ? program
      : undefined
    : wrapperFor(process.execPath);
  // The SCM may hold the wrapper's file a moment after the service stopped.
  for (let i = 0; i < 20 && wrapper && existsSync(wrapper); i++) {
    try {
      rmSync(wrapper);
      io.out(`removed ${wrapper}`);
    } catch {
      await Bun.sleep(250);
    }
  }
  io.out('the config and the spool stay where they are');
  return 0;
}

function loggingToFile(config: string, io: Io): boolean {
  const r = loadConfig(config, io.env);
  return !r.ok || r.config.log.file !== '';
}

/** `sc.exe query NAME`, read back. */
function scState(name: string): ServiceState | 'missing' | undefined {
  const p = Bun.spawnSync(['sc.exe', 'query', name], { stdout: 'pipe', stderr: 'pipe' });
  return parseScQuery(p.exitCode, `${p.stdout.toString()}${p.stderr.toString()}`);
}

/** Runs each step (Windows only), printing it first so the technician sees what changed. */
async function run(steps: Step[], name: string, io: Io): Promise<number> {
  for (const step of steps) {
    io.out(`> ${commandLine(step.argv)}`);
    const p = Bun.spawnSync(step.argv, { stdout: 'pipe', stderr: 'pipe' });
    const said = `${p.stdout.toString()}${p.stderr.toString()}`.trim();
    if (said && p.exitCode !== 0) io.out(said);
    if (p.exitCode !== 0 && !step.mayFail) {
      io.err(`relay service: ${step.why} failed (exit ${p.exitCode}); run it from an Administrator PowerShell`);
      return 1;
    }
    if (step.waitFor && !(await waitFor(name, step.waitFor))) {
      io.err(
        `relay service: ${step.why}: the service is not ${step.waitFor} after ${WAIT_MS / 1000} s (sc.exe query ${name}; relay-service.log)`,
      );
      return 1;
    }
  }
  return 0;
}

/** The relay's stop is bounded (the forwarder's grace); relay-service.exe ends it past 120 s. */
const WAIT_MS = 150_000;

async function waitFor(name: string, want: ServiceState): Promise<boolean> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const state = scState(name);
    if (state === want || (want === 'STOPPED' && state === 'missing')) return true;
    if (Date.now() > end) return false;
    await Bun.sleep(250);
  }
}
