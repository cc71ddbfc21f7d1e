/**
 * Windows: a service in the Services console, registered with sc.exe. The
 * Service Control Manager starts relay-service.exe (relay-service.c, embedded
 * in relay.exe and written beside it on install), which runs
 * `relay.exe serve --config ... --service`, restarts it within seconds when it
 * exits, and stops it gracefully on `sc stop` by closing its standard input.
 * The SCM's own failure actions restart the wrapper should it die.
 *
 * Pure functions: the command lines, and reading `sc query` back.
 */
import { win32 } from 'node:path';

/** The service's key name (sc.exe, Get-Service); the console shows DISPLAY_NAME. */
export const DEFAULT_SERVICE_NAME = 'EmiliaVisionRelay';
export const DISPLAY_NAME = 'EmiliaVision Relay';
export const WRAPPER_FILE = 'relay-service.exe';
const DESCRIPTION =
  'Accepts the POS webhooks, keeps them on disk and forwards them to the EmiliaVision cloud. Written by relay service install.';

/**
 * One argument as CommandLineToArgvW / the MSVC runtime read it back: quoted
 * when it holds spaces or quotes; backslashes are literal except before a
 * quote, where they are doubled, and a quote is escaped as \".
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += `${'\\'.repeat(backslashes * 2 + 1)}"`;
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`;
}

/** What a technician would type in PowerShell or cmd for one step. */
export function commandLine(argv: string[]): string {
  return argv.map(windowsArg).join(' ');
}

export interface ServiceOptions {
  /** Absolute Windows path of relay.exe. */
  binary: string;
  /** Absolute Windows path of the config; its folder is the working directory and holds relay-service.log. */
  config: string;
}

/** relay-service.exe lives beside relay.exe (under Program Files: only administrators may change it). */
export const wrapperFor = (binary: string): string => win32.join(win32.dirname(binary), WRAPPER_FILE);

/** The service's command line (its ImagePath): the wrapper, the working directory, then the relay's own argv. */
export function serviceCommandLine(opts: ServiceOptions): string {
  return commandLine([
    wrapperFor(opts.binary),
    win32.dirname(opts.config),
    opts.binary,
    'serve',
    '--config',
    opts.config,
    '--service',
  ]);
}

export interface Step {
  argv: string[];
  /** Steps that may fail without stopping the plan (stopping a service that is not running). */
  mayFail?: boolean;
  why: string;
  /** After the command: poll `sc query` until the service is in this state. */
  waitFor?: ServiceState;
}

export function installPlan(name: string, opts: ServiceOptions, startNow: boolean): Step[] {
  const steps: Step[] = [
    {
      // Each `key=` and its value are separate words: that is how sc.exe reads them.
      argv: [
        'sc.exe',
        'create',
        name,
        'binPath=',
        serviceCommandLine(opts),
        'start=',
        'auto',
        'DisplayName=',
        DISPLAY_NAME,
      ],
      why: 'register the service, started at boot',
    },
    { argv: ['sc.exe', 'description', name, DESCRIPTION], why: 'describe it in the Services console' },
    {
      // Should relay-service.exe itself die, the SCM starts it again; it restarts the relay on its own.
      argv: ['sc.exe', 'failure', name, 'reset=', '86400', 'actions=', 'restart/5000/restart/5000/restart/30000'],
      why: 'restart the service if it fails',
    },
  ];
  if (startNow) steps.push({ argv: ['sc.exe', 'start', name], why: 'start it now', waitFor: 'RUNNING' });
  return steps;
}

export function uninstallPlan(name: string): Step[] {
  return [
    // A graceful stop: the relay finishes its write batch and the delivery in flight.
    { argv: ['sc.exe', 'stop', name], mayFail: true, why: 'stop the relay', waitFor: 'STOPPED' },
    { argv: ['sc.exe', 'delete', name], why: 'remove the service' },
  ];
}

export const SERVICE_STATES = [
  'STOPPED',
  'START_PENDING',
  'STOP_PENDING',
  'RUNNING',
  'CONTINUE_PENDING',
  'PAUSE_PENDING',
  'PAUSED',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/**
 * ERROR_SERVICE_DOES_NOT_EXIST: sc.exe's exit code, and in its message on
 * Windows (Wine's sc prints nothing). Bun 1.4 reports a Windows child's exit
 * code in 8 bits, so 1060 arrives as 36 (measured under Wine 10).
 */
const NO_SUCH_SERVICE = 1060;

/**
 * The state in `sc query NAME` output ("STATE : 4  RUNNING"), or "missing"
 * for error 1060 (no such service); undefined for anything else.
 */
export function parseScQuery(exitCode: number | null, output: string): ServiceState | 'missing' | undefined {
  if (
    exitCode === NO_SUCH_SERVICE ||
    exitCode === (NO_SUCH_SERVICE & 0xff) ||
    new RegExp(`FAILED ${NO_SUCH_SERVICE}\\b`).test(output)
  )
    return 'missing';
  const m = /STATE\s*:\s*\d+\s+([A-Z_]+)/.exec(output);
  return SERVICE_STATES.find((s) => s === m?.[1]);
}

/** The program the service runs (the first word of BINARY_PATH_NAME in `sc qc NAME`), or undefined. */
export function parseScQcProgram(output: string): string | undefined {
  const m = /BINARY_PATH_NAME\s*:\s*(.+)/.exec(output);
  if (!m) return undefined;
  const line = m[1]!.trim();
  return line.startsWith('"')
    ? line.slice(1, line.indexOf('"', 1) > 0 ? line.indexOf('"', 1) : undefined)
    : line.split(/\s/)[0];
}
