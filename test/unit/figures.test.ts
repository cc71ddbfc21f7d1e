/**
 * One definition of each figure feeds /metrics and the OTLP push: what
 * `figures()` reads is what the Prometheus text says, sample for sample.
 */
import { describe, expect, it } from 'bun:test';
import { createMetrics } from '../../src/admin/index.ts';
import type { SpoolStats } from '../../src/spool/index.ts';

/** `name{a="x",b="y"} 3` lines as "name|a=x,b=y" → 3, labels sorted. */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort();
    out.set(`${m[1]}|${labels.join(',')}`, Number(m[3]));
  }
  return out;
}

const STATS = {
  pending: 2,
  delivered: 5,
  dead: 1,
  bytes: 4096,
  maxBytes: 1 << 20,
  lanes: [{ token: 'tok-aaaaaaaa-1', env: 'prod', pending: 2, oldestReceivedAt: 1_000 }],
  quarantines: 0,
  quarantined: [],
} as unknown as SpoolStats;

describe('figures', () => {
  it('read what /metrics shows, for every figure the relay pushes', async () => {
    const m = createMetrics();
    m.watch({
      spool: () => STATS,
      cloudReachable: () => false,
      now: () => 61_000,
      tokens: () => [
        { token: 'tok-aaaaaaaa-1', active: true },
        { token: 'tok-bbbbbbbb-2', active: true },
      ],
    });
    for (let i = 0; i < 3; i++) m.received('tok-aaaaaaaa-1', 'prod');
    m.received('tok-bbbbbbbb-2', 'dev');
    m.delivered('tok-aaaaaaaa-1', 'prod');
    m.dead();
    m.attempt('200');
    m.attempt('error');
    m.attempt('error');
    m.warning('missing_table_number');
    m.define({
      name: 'relay_test_pushes_total',
      help: 'A figure added later (as telemetry adds its own).',
      kind: 'counter',
      labelNames: ['signal'],
      read: () => [{ labels: { signal: 'metrics' }, value: 7 }],
    });

    const shown = parseProm(await m.render());
    const names = m.figures().map((f) => f.name);
    for (const name of [
      'relay_events_received_total',
      'relay_events_delivered_total',
      'relay_events_dead_total',
      'relay_forward_attempts_total',
      'relay_refusals_total',
      'relay_spool_pending',
      'relay_spool_bytes',
      'relay_test_pushes_total',
    ]) {
      expect(names).toContain(name);
    }
    let compared = 0;
    for (const f of m.figures()) {
      for (const s of f.read()) {
        const key = `${f.name}|${Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .sort()
          .join(',')}`;
        expect({ key, value: shown.get(key) }).toEqual({ key, value: s.value });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    // The figures carry the counts given above, not zeros.
    expect(shown.get('relay_events_received_total|env=prod,token=tok-aaaa…')).toBe(3);
    expect(shown.get('relay_events_received_total|env=dev,token=tok-bbbb…')).toBe(1);
    expect(shown.get('relay_events_delivered_total|env=prod,token=tok-aaaa…')).toBe(1);
    expect(shown.get('relay_events_delivered_total|env=dev,token=tok-aaaa…')).toBe(0);
    expect(shown.get('relay_forward_attempts_total|code=error')).toBe(2);
    expect(shown.get('relay_events_dead_total|')).toBe(1);
    expect(shown.get('relay_spool_bytes|')).toBe(4096);
    expect(shown.get('relay_spool_oldest_pending_seconds|')).toBe(60);
    expect(shown.get('relay_cloud_up|')).toBe(0);
    expect(shown.get('relay_test_pushes_total|signal=metrics')).toBe(7);
  });
});
