/**
 * `make soak SEED=… MINUTES=…`: one soak run against dist/relay, its summary
 * printed and written as JSON (SOAK_SUMMARY, default
 * /tmp/relay-soak-<seed>.json). SOAK_KINDS=cloud_down,kill9,… narrows the
 * faults; SOAK_BINARY=path soaks another build instead of dist/relay;
 * SOAK_FUSE=1 puts the spool on test/fuse's lossy FS and adds power cuts. Exits 1 when a promise was broken.
 */
import { seedFrom } from '../helpers/reliability.ts';
import type { FaultKind } from './schedule.ts';
import { ALL_KINDS, runSoak } from './soak.ts';

const seed = seedFrom('SEED');
const minutes = Number(process.env.MINUTES || '2');
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`soak: MINUTES must be a positive number of minutes, got "${process.env.MINUTES}"`);
  process.exit(2);
}
const kindsEnv = process.env.SOAK_KINDS ?? '';
const kinds = kindsEnv ? (kindsEnv.split(',').map((k) => k.trim()) as FaultKind[]) : undefined;
const unknown = (kinds ?? []).filter((k) => !ALL_KINDS.includes(k));
if (unknown.length > 0) {
  console.error(`soak: SOAK_KINDS names unknown faults: ${unknown.join(', ')}; known: ${ALL_KINDS.join(', ')}`);
  process.exit(2);
}
const summaryPath = process.env.SOAK_SUMMARY || `/tmp/relay-soak-${seed}.json`;
const replay = `make soak SEED=${seed} MINUTES=${minutes}${kindsEnv ? ` SOAK_KINDS=${kindsEnv}` : ''}${process.env.SOAK_BINARY ? ` SOAK_BINARY=${process.env.SOAK_BINARY}` : ''}${process.env.SOAK_FUSE === '1' ? ' SOAK_FUSE=1' : ''}`;
const binary = process.env.SOAK_BINARY || undefined;
const powerCuts = process.env.SOAK_FUSE === '1';
const summary = await runSoak({
  seed,
  seconds: Math.round(minutes * 60),
  kinds,
  summaryPath,
  replay,
  binary,
  powerCuts,
});
console.log(`soak: summary written to ${summaryPath}`);
process.exit(summary.ok ? 0 : 1);
