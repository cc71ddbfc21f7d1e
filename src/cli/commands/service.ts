import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, win32 } from 'node:path';
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
  DEFAULT_TASK_NAME,
  installPlan,
  type Plan,
  taskXml,
  taskXmlBytes,
  uninstallPlan,
} from '../service/windows.ts';

const USAGE = `relay service print|install|uninstall [options]
  print [--systemd|--windows]   print the systemd unit or the Windows task XML (default: this platform's)
  install                       Linux: write the systemd unit; Windows: register the start-up task
  uninstall                     remove them again
options:
  --config FILE      the config the service runs with (default ./relay.toml, then $RELAY_CONFIG)
  --binary PATH      the relay binary (default: this one)
  --unit-path PATH   Linux: where the unit goes (default ${DEFAULT_UNIT_PATH})
  --name NAME        Windows: the task's name (default "${DEFAULT_TASK_NAME}")
  --now              install: also start it now (systemctl enable --now / schtasks /Run);
                     uninstall: stop it first
  --force            install even though the config has problems`;

export const service: Command = {
  name: 'service',
  summary: 'start the relay at boot: a systemd unit (Linux) or a start-up task (Windows)',
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
      const name = values.name ?? DEFAULT_TASK_NAME;
      return action === 'install' ? installWindows(name, values, io) : run(uninstallPlan(name), io);
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
  io.out(
    (platform === 'systemd' ? systemdUnit({ binary, config }) : taskXml({ binary, config, now: new Date() })).trimEnd(),
  );
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

function installWindows(name: string, values: Values, io: Io): number {
  const binary = binaryFor('windows', values.binary, io);
  const config = configFor('windows', values.config, io);
  if (!checked(config, undefined, values.force === true, io)) return 2;
  const xmlPath = win32.join(win32.dirname(config), 'relay-task.xml');
  writeFileSync(xmlPath, taskXmlBytes(taskXml({ binary, config, now: new Date() })));
  io.out(`wrote ${xmlPath}`);
  const code = run(installPlan(name, xmlPath, values.now === true), io);
  if (code === 0) {
    io.out(`task "${name}" starts the relay at boot as SYSTEM and again within a minute if it stops.`);
    if (!values.now) io.out(`start it now: ${commandLine(['schtasks', '/Run', '/TN', name])}`);
  }
  return code;
}

/** Runs each step (Windows only), printing it first so the technician sees what changed. */
function run(plan: Plan, io: Io): number {
  for (const step of plan.steps) {
    io.out(`> ${commandLine(step.argv)}`);
    const p = Bun.spawnSync(step.argv, { stdout: 'pipe', stderr: 'pipe' });
    const said = `${p.stdout.toString()}${p.stderr.toString()}`.trim();
    if (said) io.out(said);
    if (p.exitCode !== 0 && !step.mayFail) {
      io.err(`relay service: ${step.why} failed (exit ${p.exitCode}); run it from an Administrator PowerShell`);
      return 1;
    }
  }
  return 0;
}
