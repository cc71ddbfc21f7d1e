import { main } from './cli/index.ts';

const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stdout.isTTY === true,
  write: (s) => process.stdout.write(s),
});
if (code !== 'running') process.exit(code);
