import { READS_FORMATS, SPOOL_FORMAT } from '../../spool/index.ts';
import { COMMIT, VERSION } from '../../version.ts';
import { type Command, parseCommandArgs } from '../context.ts';
import { thisBuild } from '../lib/cpu.ts';
import { printJson } from '../lib/output.ts';

export const version: Command = {
  name: 'version',
  summary:
    'print the version, the git commit the binary was built from, its build, whether this CPU has AVX2 and the spool formats it reads',
  usage: 'relay version [--json]',
  async run(args, io) {
    const { values } = parseCommandArgs('version', args, { json: { type: 'boolean' } });
    const build = await thisBuild();
    if (values.json) {
      printJson(io, {
        version: VERSION,
        commit: COMMIT,
        flavor: build.flavor,
        avx2: build.avx2,
        // An older spool is migrated up to `writes`; a newer one is refused untouched.
        spool_format: { writes: SPOOL_FORMAT, reads: READS_FORMATS },
      });
      return 0;
    }
    // The first line stays what scripts compare; the build line is for the technician choosing a file.
    io.out(`relay ${VERSION} (commit ${COMMIT})`);
    io.out(build.line);
    io.out(`spool formats ${READS_FORMATS.from} to ${READS_FORMATS.to} (newer ones are refused untouched)`);
    return 0;
  },
};
