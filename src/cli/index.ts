import { alerts } from './commands/alerts.ts';
import { check } from './commands/check.ts';
import { doctor } from './commands/doctor.ts';
import { events } from './commands/events.ts';
import { init } from './commands/init.ts';
import { send } from './commands/send.ts';
import { serve } from './commands/serve.ts';
import { service } from './commands/service.ts';
import { spool } from './commands/spool.ts';
import { status } from './commands/status.ts';
import { upgrade } from './commands/upgrade.ts';
import { version } from './commands/version.ts';
import { type Command, type ExitCode, type Io, UsageError } from './context.ts';

export type { Io } from './context.ts';

/** Every command, one file each under commands/. */
export const COMMANDS: Command[] = [
  serve,
  check,
  version,
  init,
  service,
  status,
  events,
  doctor,
  send,
  alerts,
  spool,
  upgrade,
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return (
    `usage: relay [command] [--config FILE] ...\n\ncommands:\n${lines.join('\n')}\n\n` +
    'Without --config the relay reads ./relay.toml, then the file named by RELAY_CONFIG.\n' +
    "relay COMMAND --help shows a command's usage."
  );
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config. */
export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const first = argv[0];
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(usage());
    return 0;
  }
  // No command, or options only: serve is the default command.
  const named = first !== undefined && !first.startsWith('-');
  const command = named ? COMMANDS.find((c) => c.name === first) : serve;
  if (!command) {
    io.err(`relay: unknown command ${JSON.stringify(first)}\n\n${usage()}`);
    return 2;
  }
  const rest = named ? argv.slice(1) : argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\nusage: ${command.usage}`);
      return 2;
    }
    throw e;
  }
}
