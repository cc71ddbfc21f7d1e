import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const doctor: Command = {
  name: 'doctor',
  summary: 'not implemented yet',
  usage: 'relay doctor',
  async run(_args, io) {
    io.err('relay doctor: not implemented yet');
    return 2;
  },
};
