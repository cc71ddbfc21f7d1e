import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const status: Command = {
  name: 'status',
  summary: 'not implemented yet',
  usage: 'relay status',
  async run(_args, io) {
    io.err('relay status: not implemented yet');
    return 2;
  },
};
