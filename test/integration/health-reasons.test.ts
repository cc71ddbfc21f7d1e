/**
 * Reasons that only a running relay can show: a wall-clock step (told once in
 * the log, warn, its size in words and in ms; a reason on /health for ten
 * minutes on the monotonic clock; counted in /health's `clock` for good) and
 * a log that cannot be written (the relay's logHealth, as `relay serve`
 * passes it), each on /health and on the status page.
 */
import { afterEach, describe, expect, it } from 'bun:test';
import type { StatusView } from '../../src/admin/view.ts';
import type { Health } from '../../src/health/index.ts';
import { type LogHealth, silentLogger } from '../../src/lib/log.ts';
import { startRelay } from '../../src/relay.ts';
import { FakeClock } from '../helpers/clock.ts';
import { captureLog } from '../helpers/log.ts';
import { startTestRelay, type TestRelay, tempDir, testConfig } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let r: Pick<TestRelay, 'url' | 'stop'> | undefined;
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

describe('a wall-clock step measured a millisecond off', () => {
  it('is told to the nearest 10 ms: 2 h back reads -7200000 ms', async () => {
    // The wall clock reads whole ms, the monotonic one fractions: the measured step comes out 1 ms long.
    const fake = new FakeClock(Date.UTC(2026, 0, 1, 12));
    let fraction = 0;
    const clock = { now: () => fake.now(), mono: () => fake.mono() + fraction };
    const { log, lines } = captureLog();
    r = await startTestRelay({}, { clock, log });
    fraction = 0.9;
    fake.stepWall(-2 * HOUR);
    await waitFor(() => lines.some((l) => String(l.msg).startsWith('wall clock stepped')), 'the step logged');
    const told = lines.find((l) => String(l.msg).startsWith('wall clock stepped'))!;
    expect([told.msg, told.step_ms]).toEqual([expect.stringContaining('back by 2 h (-7200000 ms)'), -7_200_000]);
    expect((await health()).clock.step_ms).toBe(-7_200_000);
  });
});

describe('a log that cannot be written', () => {
  it('is a reason on /health with the log part, amber on the page, and gone once the log writes again', async () => {
    const tmp = tempDir('relay-log-health-');
    let log: LogHealth = { ok: false, error: 'ENOSPC: no space left on device, write', failures: 3, since: Date.now() };
    const relay = await startRelay(testConfig(tmp.dir), { log: silentLogger, logHealth: () => log });
    r = { url: relay.url, stop: async () => (await relay.stop(), tmp.cleanup()) };

    let h = await health();
    expect(h.status).toBe('degraded');
    expect(h.log).toEqual({ ok: false, error: 'ENOSPC: no space left on device, write', failures: 3 });
    expect(h.reasons).toEqual([
      {
        id: 'log_failing',
        detail:
          'The log cannot be written (ENOSPC: no space left on device, write); 3 lines lost since start. Events are still taken and delivered. Free space on the disk the log is on.',
      },
    ]);
    const v = (await (await fetch(`${r.url}/admin/api/status`)).json()) as StatusView;
    expect([v.status, v.level, v.reasons.map((x) => [x.id, x.colour])]).toEqual([
      'degraded',
      'warn',
      [['log_failing', 'amber']],
    ]);
    expect(await (await fetch(`${r.url}/admin`)).text()).toContain(
      '<li data-reason="log_failing" data-colour="amber">The log cannot be written',
    );

    log = { ok: true, error: 'ENOSPC: no space left on device, write', failures: 3, since: null };
    h = await health();
    expect([h.status, h.reasons, h.log]).toEqual([
      'ok',
      [],
      { ok: true, error: 'ENOSPC: no space left on device, write', failures: 3 },
    ]);
  });
});
