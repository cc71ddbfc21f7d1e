/**
 * A wall-clock step through a running relay: told once in the log (warn, its
 * size in words and in ms), a reason on /health for ten minutes on the
 * monotonic clock, and counted in /health's `clock` for good.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import type { Health } from '../../src/health/index.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { captureLog } from '../helpers/log.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let r: TestRelay | undefined;
afterEach(async () => {
  await r?.stop();
  r = undefined;
});

const health = async () => (await (await fetch(`${r!.url}/health`)).json()) as Health;

describe('a wall-clock step', () => {
  it('is logged once, is a reason on /health for 10 minutes, and stays counted', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    const { log, lines } = captureLog();
    r = await startTestRelay({}, { clock, log });
    const told = () => lines.filter((l) => String(l.msg).startsWith('wall clock stepped'));
    expect((await health()).status).toBe('ok');

    clock.stepWall(-2 * HOUR);
    await waitFor(() => told().length === 1, 'the step logged');
    expect(told()[0]).toMatchObject({ level: 'warn', step_ms: -7_200_000 });
    expect(told()[0]!.msg).toStartWith('wall clock stepped back by 2 h (-7200000 ms);');

    let h = await health();
    expect(h.status).toBe('degraded');
    expect(h.reasons.map((x) => x.id)).toEqual(['clock_stepped']);
    expect(h.clock).toEqual({ stepped_at: '2026-01-01T10:00:00.000Z', step_ms: -7_200_000, steps: 1 });

    // The watch goes on checking every second; the same step is not told again.
    await Bun.sleep(1500);
    expect(told()).toHaveLength(1);

    clock.advance(10 * MIN - 1);
    expect((await health()).reasons.map((x) => x.id)).toEqual(['clock_stepped']);
    clock.advance(1);
    h = await health();
    expect([h.status, h.reasons, h.clock.steps]).toEqual(['ok', [], 1]);

    clock.stepWall(8 * 24 * HOUR);
    await waitFor(() => told().length === 2, 'the second step logged');
    expect(told()[1]!.msg).toStartWith('wall clock stepped forwards by 8 d (+691200000 ms);');
    h = await health();
    expect([h.status, h.clock.step_ms, h.clock.steps]).toEqual(['degraded', 691_200_000, 2]);
  });
});
