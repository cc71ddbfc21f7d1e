/**
 * Windows: a scheduled task, not a service. A Bun binary does not speak the
 * service control protocol (the Service Control Manager would give up on it
 * with error 1053), and nothing outside Windows itself should be needed, so
 * Task Scheduler runs the relay as SYSTEM:
 *  - at boot, before anyone logs in (BootTrigger);
 *  - every minute as a keep-alive: MultipleInstancesPolicy=IgnoreNew makes that a
 *    no-op while the relay runs, and restarts it within a minute after a crash.
 *    RestartOnFailure alone is not enough: it retries only a task that failed to
 *    start, not a program that exited ([MS-TSCH] 2.5.4.2);
 *  - with no time limit, on battery too, at normal priority (the default 7 is
 *    below-normal CPU and I/O priority: slower answers to the POS).
 * Pure functions; tested on Linux as text and argument lists, not run on Windows here.
 */
import { win32 } from 'node:path';

export const DEFAULT_TASK_NAME = 'EmiliaVision Relay';

export interface TaskOptions {
  /** Absolute Windows path of relay.exe. */
  binary: string;
  /** Absolute Windows path of the config; its folder is the working directory. */
  config: string;
  /** Start boundary of the keep-alive trigger, local time; the install time. */
  now: Date;
}

/** Element text (XML 1.0 section 2.4): & and < must be escaped, > is escaped for "]]>"; quotes need not be. */
const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

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

/** Local time without zone, the form Task Scheduler shows and keeps (xs:dateTime). */
function localDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function taskXml(opts: TaskOptions): string {
  const args = ['serve', '--config', opts.config].map(windowsArg).join(' ');
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>EmiliaVision POS webhook relay. Written by relay service install.</Description>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
    <TimeTrigger>
      <Repetition>
        <Interval>PT1M</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <StartBoundary>${localDateTime(opts.now)}</StartBoundary>
      <Enabled>true</Enabled>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>4</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>255</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlText(opts.binary)}</Command>
      <Arguments>${xmlText(args)}</Arguments>
      <WorkingDirectory>${xmlText(win32.dirname(opts.config))}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`;
}

/** schtasks reads /XML files as UTF-16 LE with a byte-order mark, matching the declaration above. */
export function taskXmlBytes(xml: string): Uint8Array {
  return new Uint8Array(Buffer.from(`\ufeff${xml.replace(/\r?\n/g, '\r\n')}`, 'utf16le'));
}

export interface Plan {
  /** Commands to run in order; `mayFail` ones (ending a task that is not running) do not stop the plan. */
  steps: { argv: string[]; mayFail?: boolean; why: string }[];
}

export function installPlan(name: string, xmlPath: string, startNow: boolean): Plan {
  const steps: Plan['steps'] = [
    {
      argv: ['schtasks', '/Create', '/TN', name, '/XML', xmlPath, '/F'],
      why: 'register the task (replacing one of the same name)',
    },
  ];
  if (startNow)
    steps.push({ argv: ['schtasks', '/Run', '/TN', name], why: 'start it now rather than at the next boot' });
  return { steps };
}

export function uninstallPlan(name: string): Plan {
  return {
    steps: [
      // Disabled first, or the keep-alive trigger starts the relay again within a minute.
      { argv: ['schtasks', '/Change', '/TN', name, '/DISABLE'], why: 'stop the keep-alive trigger' },
      { argv: ['schtasks', '/End', '/TN', name], mayFail: true, why: 'stop the running relay' },
      { argv: ['schtasks', '/Delete', '/TN', name, '/F'], why: 'remove the task' },
    ],
  };
}

/** What a technician would type in PowerShell or cmd for one step. */
export function commandLine(argv: string[]): string {
  return argv.map(windowsArg).join(' ');
}
