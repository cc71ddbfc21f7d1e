import { type Command, loadConfigFor, parseCommandArgs } from '../context.ts';

export const check: Command = {
  name: 'check',
  summary: 'validate the config and print every problem (exit 0 or 2)',
  usage: 'relay check [--config FILE]',
  async run(args, io) {
    const { values } = parseCommandArgs('check', args, {});
    const r = loadConfigFor(values.config, io);
    if (!r) return 2;
    io.out(`config ${r.path}: ok (${r.config.tokens.length} token(s), spool ${r.config.spool.path})`);
    return 0;
  },
};
