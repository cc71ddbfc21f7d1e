import { COMMIT, VERSION } from '../../version.ts';
import { type Command, parseCommandArgs } from '../context.ts';

export const version: Command = {
  name: 'version',
  summary: 'print the version and the git commit the binary was built from',
  usage: 'relay version',
  async run(args, io) {
    parseCommandArgs('version', args, {});
    io.out(`relay ${VERSION} (commit ${COMMIT})`);
    return 0;
  },
};
