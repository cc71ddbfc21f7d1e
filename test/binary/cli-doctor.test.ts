/**
 * `relay doctor` from the compiled binary: the same verdicts as in this
 * process (test/integration/cli-doctor.test.ts), against a mock cloud that
 * accepts one token and refuses the other.
 */
import { describe, expect, it } from 'bun:test';
import { ensureBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runCli, writeConfig } from '../helpers/cli.ts';
import { refusingCloud } from '../helpers/mock-cloud.ts';
import { TOKEN2 } from '../helpers/relay.ts';

const onCleanup = useCleanup();

describe('relay doctor', () => {
  it('runs from the compiled binary with the same verdicts', async () => {
    const mock = await refusingCloud(TOKEN2);
    onCleanup(() => mock.stop());
    const dir = onCleanup.tempDir('relay-doctor-');
    writeConfig(dir, { cloudUrl: mock.url });
    const r = await runCli(await ensureBinary(), ['doctor', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    const tokens = j.checks
      .filter((c: { check: string }) => c.check === 'token')
      .map((c: { status: string }) => c.status);
    expect(tokens.sort()).toEqual(['fail', 'pass', 'skip']);
  });
});
