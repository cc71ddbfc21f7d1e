import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const events: Command = {
  name: 'events',
  summary: 'not implemented yet',
  usage: 'relay events',
  async run(_args, io) {
    io.err('relay events: not implemented yet');
    return 2;
  },
};
