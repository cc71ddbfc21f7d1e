import { COMMIT, VERSION } from '../../version.ts';
import { type Command, parseCommandArgs } from '../context.ts';
import { thisBuild } from '../lib/cpu.ts';

export const version: Command = {
  name: 'version',
  summary: 'print the version, the git commit the binary was built from, its build and whether this CPU has AVX2',
  usage: 'relay version',
  async run(args, io) {
    parseCommandArgs('version', args, {});
    // The first line stays what scripts compare; the build line is for the technician choosing a file.
    io.out(`relay ${VERSION} (commit ${COMMIT})`);
    io.out((await thisBuild()).line);
    return 0;
  },
};
