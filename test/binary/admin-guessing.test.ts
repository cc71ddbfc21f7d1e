/**
 * Guessing the admin password over the LAN costs time and is seen: against
 * the compiled relay, thousands of wrong guesses sent at once from one
 * address get a handful checked (the rest 429 with Retry-After, unchecked),
 * each wrong one is counted on /metrics and the page, the log has a line for
 * them (not one per guess), and the right password from another address,
 * and webhooks from the guessing one, go through at once.
 */
import { describe, expect, it } from 'bun:test';
import http from 'node:http';
import { LOGIN_POLICY } from '../../src/admin/index.ts';
import { basic, configToml } from '../helpers/admin.ts';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { post, TOKEN } from '../helpers/relay.ts';

const onCleanup = useCleanup();
const GUESSES = 3000;
const AT_ONCE = 64;

/** GET from a chosen source address (another machine on the LAN, as loopback can play it). */
function getFrom(url: string, localAddress: string, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, localAddress, headers: { authorization: auth } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('admin password guessing against the compiled relay', () => {
  it(`lets few of ${GUESSES} concurrent wrong guesses be checked; the right password from another address works at once`, async () => {
    const dir = onCleanup.tempDir('relay-admin-lan-');
    const site = await installSite(
      onCleanup,
      configToml(dir, { password: 'correct horse battery', logLevel: 'info', tokens: [{ token: TOKEN }] }),
    );
    const r = await serveSite(onCleanup, site.bin, site.dir);
    const codes: Record<string, number> = {};
    let retryAfter: string | null = null;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < GUESSES) {
          const i = next++;
          const res = await fetch(`${r.url}/admin/api/status`, {
            headers: { authorization: basic('admin', `guess-${i}`) },
          });
          await res.arrayBuffer();
          codes[res.status] = (codes[res.status] ?? 0) + 1;
          if (res.status === 429) retryAfter = res.headers.get('retry-after');
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const checked = codes[401] ?? 0;
    // The free tries, then one more per wait that ran out during the burst (1 s, 2 s, 4 s...): a busy machine
    // may stretch the burst over several seconds, so a few more than the free ones may be checked.
    expect(checked).toBeGreaterThanOrEqual(LOGIN_POLICY.freeFailures);
    expect(checked).toBeLessThanOrEqual(LOGIN_POLICY.freeFailures + Math.ceil(Math.log2(seconds + 2)) + 1);
    expect(codes).toEqual({ 401: checked, 429: GUESSES - checked });
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Against ~20,000 a second unslowed; over at least a second, as a fast machine ends the burst sooner.
    expect(checked / Math.max(seconds, 1)).toBeLessThan(50);

    // Another address, the right password: at once, not held by the guesser's record.
    const right = basic('admin', 'correct horse battery');
    const t1 = performance.now();
    expect((await getFrom(`${r.url}/admin/api/status`, '127.0.0.2', right)).status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(2_000);
    // The guessing address waits even with the right password: its next try is not checked yet.
    expect((await fetch(`${r.url}/admin/api/status`, { headers: { authorization: right } })).status).toBe(429);
    // Webhooks from the guessing address are not the admin guard's business.
    expect((await post(r.url, TOKEN, '{"event":"order_created"}')).status).toBe(200);

    // Counted on /metrics and shown on the page (read from the other address).
    const page = await getFrom(`${r.url}/admin`, '127.0.0.2', right);
    // Numbers as the page writes them for people (grouped: 2,995).
    const n = (x: number) => new Intl.NumberFormat('en').format(x);
    expect(page.body).toContain(`${n(checked)} wrong, ${n(GUESSES - checked + 1)} more refused unchecked`);
    const metrics = await getFrom(`${r.url}/metrics`, '127.0.0.2', right);
    const metricsText = metrics.body;
    expect(metricsText).toContain(`relay_admin_login_failures_total{result="wrong"} ${checked}`);
    expect(metricsText).toMatch(/relay_admin_login_failures_total\{result="held"\} \d{4}/);

    // The log: a line naming the address, not one per guess.
    const lines = r.lines.filter((l) => l.includes('wrong admin password from 127.0.0.1'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(r.lines.join('\n')).not.toContain('guess-');
  });
});
