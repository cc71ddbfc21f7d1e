import type { Command } from '../context.ts';

/** Placeholder: implemented by its own issue. */
export const init: Command = {
  name: 'init',
  summary: 'not implemented yet',
  usage: 'relay init',
  async run(_args, io) {
    io.err('relay init: not implemented yet');
    return 2;
  },
};
