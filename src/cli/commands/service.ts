import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const service: Command = {
  name: 'service',
  summary: 'not implemented yet',
  usage: 'relay service',
  async run(_args, io) {
    io.err('relay service: not implemented yet');
    return 2;
  },
};
