import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const send: Command = {
  name: 'send',
  summary: 'not implemented yet',
  usage: 'relay send',
  async run(_args, io) {
    io.err('relay send: not implemented yet');
    return 2;
  },
};
