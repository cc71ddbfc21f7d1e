/**
 * `relay status` reading /health from relays of two generations: one that
 * gives its reasons (each printed with its id, tokens masked, in --json too)
 * and an older one that gives none (nothing invented, JSON `reasons` null).
 * The relay is a small server answering a fixed /health body, so the body is
 * exactly the one each generation sends.
 */
import { describe, expect, it } from 'bun:test';
import { buildHealth } from '../../src/health/index.ts';
import { healthyLog } from '../../src/lib/log.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runInProcess, writeConfig } from '../helpers/cli.ts';
import { TOKEN } from '../helpers/relay.ts';

const onCleanup = useCleanup();

function relayAnswering(body: unknown): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json(body) });
  onCleanup(() => server.stop(true));
  return server.port as number;
}

async function status(body: unknown, json = false) {
  const dir = onCleanup.tempDir('relay-cli-status-');
  const config = writeConfig(dir, { port: relayAnswering(body) });
  return runInProcess(['status', ...(json ? ['--json'] : []), '--config', config], { cwd: dir });
}

const stats = {
  pending: 2,
  delivered: 0,
  dead: 0,
  bytes: 4096,
  maxBytes: 1 << 30,
  lanes: [],
  lastWriteError: null,
  quarantined: [],
  quarantines: 0,
  salvaging: false,
} as unknown as SpoolStats;

/** Today's relay, with a paused token and a wall-clock step 2 min ago. */
const today = buildHealth({
  spool: stats,
  cloud: { reachable: true, since: 0, sinceMono: 0, lastDeliveryAt: null, lastError: null },
  paused: [{ token: TOKEN, until: Date.UTC(2026, 0, 1), reason: 'cloud answered 401' }],
  stalled: [],
  log: healthyLog(),
  clock: { recent: [{ deltaMs: -7_200_000, at: Date.UTC(2026, 0, 1), atMono: 1_000_000 }], steps: 1 },
  mono: 1_120_000,
  tokens: [{ token: TOKEN, name: 'Main POS' }],
  version: '9.9.9',
});

describe('relay status', () => {
  it("prints each of the relay's reasons with its id, tokens masked, and exits 1", async () => {
    const r = await status(today);
    expect(r.code).toBe(1);
    const text = r.stdout();
    expect(text).toContain('— degraded (version 9.9.9)');
    expect(text).toContain(
      '        token_paused: The cloud refuses token 019ab6ed… (Main POS) as invalid or inactive (401).',
    );
    expect(text).toContain(
      '        clock_stepped: The wall clock stepped back by 2 h (-7200000 ms) at 2026-01-01T00:00:00.000Z',
    );
    expect(text).not.toContain(TOKEN);
  });

  it('gives the reasons in --json as the relay sent them', async () => {
    const r = await status(today, true);
    const j = JSON.parse(r.stdout());
    expect(j.relay.reasons.map((x: { id: string }) => x.id)).toEqual(['token_paused', 'clock_stepped']);
    expect(j.relay.reasons).toEqual(today.reasons);
  });

  it('reads an older relay that gives no reasons: none printed, null in --json, its status kept', async () => {
    const old = { status: 'degraded', version: '1.0.0', cloud: { reachable: false, since: null } };
    const r = await status(old);
    expect(r.code).toBe(1);
    expect(r.stdout()).toContain('— degraded (version 1.0.0)');
    expect(r.stdout()).not.toMatch(/^ {8}\w+: /m);
    const j = JSON.parse((await status(old, true)).stdout());
    expect(j.relay).toMatchObject({ running: true, status: 'degraded', reasons: null });
  });

  it('a healthy relay: no reasons, exit 0', async () => {
    const healthy = { ...today, status: 'ok', reasons: [], paused_tokens: [] };
    const r = await status(healthy);
    expect(r.code).toBe(0);
    expect(r.stdout()).toContain('— ok (version 9.9.9)');
  });
});
