/**
 * The admin surface's pure parts: which addresses and Host names count as
 * this machine, and how the ingest-time histogram renders. The surface itself,
 * through a real relay: test/integration/admin-auth.test.ts and admin.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { Histogram, Registry } from 'prom-client';
import { isLoopback, isLoopbackHost } from '../../src/admin/auth.ts';
import { PlainHistogram } from '../../src/admin/metrics.ts';

describe('who may use the admin surface', () => {
  it('knows loopback addresses', () => {
    const yes = ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '[::1]', '0:0:0:0:0:0:0:1'];
    const no = ['192.168.1.10', '10.0.0.1', '::ffff:192.168.0.1', '::', '0.0.0.0', '128.0.0.1', '', null, '1270.0.0.1'];
    for (const ip of yes) expect([ip, isLoopback(ip)]).toEqual([ip, true]);
    for (const ip of no) expect([ip, isLoopback(ip)]).toEqual([ip, false]);
    expect(['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'relay.localhost'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['evil.example', '192.168.1.2:8080', 'localhost.evil.example', ''].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('the ingest-time histogram', () => {
  const cases: { name: string; observe: number[]; buckets: Record<string, number>; sum: number }[] = [
    { name: 'nothing observed', observe: [], buckets: { '0.001': 0, '0.01': 0, '+Inf': 0 }, sum: 0 },
    {
      name: 'a value on a bound counts in that bucket (le is "less or equal")',
      observe: [0.001],
      buckets: { '0.001': 1, '0.01': 1, '+Inf': 1 },
      sum: 0.001,
    },
    {
      name: 'buckets are cumulative; above the last bound only +Inf',
      observe: [0.0004, 0.005, 0.02, 3],
      buckets: { '0.001': 1, '0.01': 2, '+Inf': 4 },
      sum: 3.0254,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = new PlainHistogram('t_seconds', 'help', [0.001, 0.01]);
      for (const v of c.observe) h.observe(v);
      const got = await h.get();
      const buckets = Object.fromEntries(
        got.values.filter((v) => v.metricName === 't_seconds_bucket').map((v) => [String(v.labels.le), v.value]),
      );
      expect(buckets).toEqual(c.buckets);
      expect(got.values.find((v) => v.metricName === 't_seconds_sum')!.value).toBeCloseTo(c.sum, 9);
      expect(got.values.find((v) => v.metricName === 't_seconds_count')!.value).toBe(c.observe.length);
    });
  }

  it("renders exactly as prom-client's own Histogram does", async () => {
    const bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    const observed = [0.0001, 0.0005, 0.0007, 0.003, 0.003, 0.2, 1.7, 9];
    const ours = new Registry();
    const h = new PlainHistogram('relay_ingest_duration_seconds', 'Time to answer.', bounds);
    ours.registerMetric(h as unknown as Parameters<Registry['registerMetric']>[0]);
    const theirs = new Registry();
    const p = new Histogram({
      name: 'relay_ingest_duration_seconds',
      help: 'Time to answer.',
      buckets: bounds,
      registers: [theirs],
    });
    for (const v of observed) {
      h.observe(v);
      p.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
