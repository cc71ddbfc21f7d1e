import { languageOr, t, tn } from '../../i18n/index.ts';
import { privateByDefault } from '../../lib/private.ts';
import { type Command, loadConfigFor, parseCommandArgs } from '../context.ts';
import { thisBuild } from '../lib/cpu.ts';
import { type Check, diagnose } from '../lib/diagnose.ts';
import { MARK, printJson } from '../lib/output.ts';

export const doctor: Command = {
  name: 'doctor',
  summary: "the cloud guide's diagnostic: config, spool, disk, clock, cloud, each token (exit 0 = all pass)",
  usage: 'relay doctor [--json] [--config FILE]',
  async run(args, io) {
    const { values } = parseCommandArgs('doctor', args, { json: { type: 'boolean' } });
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) {
      // The problems are already on stderr, one per line with key and line number.
      const failed: Check = {
        check: 'config',
        status: 'fail',
        message: 'the config is not valid (see the problems above); fix it, then run relay doctor again',
      };
      if (values.json) printJson(io, { ok: false, checks: [failed] });
      else io.out(`${MARK.fail} config: ${failed.message}`);
      return 2;
    }
    // The spool check may create the spool: owner-only, as relay serve would.
    privateByDefault();
    // Not a check (nothing to pass or fail): which file to run on this PC's CPU.
    const build = await thisBuild();
    if (!values.json) io.out(`relay doctor: ${loaded.path}\n${build.line}\n`);
    const checks = await diagnose(loaded.config, loaded.path);
    const failed = checks.filter((c) => c.status === 'fail');
    const warned = checks.filter((c) => c.status === 'warn');
    if (values.json) {
      const { line: _line, ...cpu } = build;
      printJson(io, { ok: failed.length === 0, config: loaded.path, build: cpu, checks });
    } else {
      const lang = languageOr(loaded.config.site.language);
      for (const c of checks) io.out(`${MARK[c.status]} ${c.check}: ${c.message}`);
      io.out('');
      if (failed.length > 0) {
        const warnings = warned.length ? t(lang, 'doctor.warnings', { n: warned.length }) : '';
        io.out(tn(lang, 'doctor.failed', failed.length, { warnings }));
      } else if (warned.length > 0) {
        io.out(t(lang, 'doctor.all_passed_warned', { n: warned.length }));
      } else {
        io.out(t(lang, 'doctor.all_passed'));
      }
    }
    return failed.length === 0 ? 0 : 1;
  },
};
