// First: a SIGHUP while the rest loads must not end the process (lib/early-signals.ts).
import './lib/early-signals.ts';
import { main } from './cli/index.ts';
import { fdWriter } from './lib/stdio.ts';

const stdout = fdWriter(1);
const stderr = fdWriter(2);
const code = await main(process.argv.slice(2), {
  out: (s) => stdout(`${s}\n`),
  err: (s) => stderr(`${s}\n`),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stdout.isTTY === true,
  write: (s) => stdout(s),
});
if (code !== 'running') process.exit(code);
