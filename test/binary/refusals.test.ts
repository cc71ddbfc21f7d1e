/**
 * A POS sending a wrong token, and another sending broken JSON, each as fast
 * as wrk can over keep-alive connections, against the compiled binary: the
 * people looking after the site see it (a log line naming the masked token,
 * then a count; /metrics by reason; a line on the page's JSON), and the log
 * stays a few lines long whatever the number of refusals.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWrk, wrk } from '../bench/lib.ts';
import { installSite, serveSite, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN2 } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';

const onCleanup = useCleanup();
const WRONG = '5eedf00d-0bad-4bad-8bad-0123456789ab';

/** `name{labels} value` lines of the Prometheus text format. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const hit = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (hit) m.set(hit[1]!, Number(hit[2]));
  }
  return m;
}

type Line = Record<string, unknown> & { msg: string };
const parse = (lines: string[]): Line[] =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Line];
    } catch {
      return [];
    }
  });

describe('the compiled binary under a flood of refusals', () => {
  it('logs a wrong token and broken JSON once each and then a count, and shows them on /metrics and the page', async () => {
    ensureWrk();
    const site = await installSite(onCleanup, relayToml({ cloudUrl: 'http://127.0.0.1:9' }), 'relay-refusals-');
    const relay = await serveSite(onCleanup, site.bin, site.dir);
    const bodies = onCleanup.tempDir('relay-refusals-bodies-');
    writeFileSync(join(bodies, 'order.json'), '{"event":"order.created","order_id":"A-1"}');
    writeFileSync(join(bodies, 'broken.json'), '{"event": "order.created", "order_id": ');
    const startLines = relay.lines.length;

    // Both at once, at full speed, through several keep-alive connections each.
    const [wrong, broken] = await Promise.all([
      wrk({
        url: `${relay.url}/webhooks/v1/pos/${WRONG}`,
        bodyFile: join(bodies, 'order.json'),
        threads: 1,
        connections: 8,
        seconds: 4,
      }),
      wrk({
        url: `${relay.url}/webhooks/v1/pos/${TOKEN2}`,
        bodyFile: join(bodies, 'broken.json'),
        threads: 1,
        connections: 4,
        seconds: 4,
      }),
    ]);
    console.log(
      `refusals flood: wrong token ${wrong.requests} requests (${Math.round(wrong.rps)}/s), broken JSON ${broken.requests} (${Math.round(broken.rps)}/s); log lines during it: ${relay.lines.length - startLines}`,
    );
    expect(wrong.requests).toBeGreaterThan(20_000);
    expect(wrong.non2xx).toBe(wrong.requests);
    expect(broken.non2xx).toBe(broken.requests);

    // The log: the masked token named once per kind, and only a few lines for it all.
    const during = parse(relay.lines.slice(startLines));
    const named = during.filter((l) => l.token === '5eedf00d…' && l.reason === 'unknown_token');
    expect(named).toHaveLength(1);
    expect(named[0]!.client).toBe('127.0.0.1');
    expect(during.filter((l) => l.token === '7f3c2a91…' && l.reason === 'invalid_json')).toHaveLength(1);
    expect(relay.lines.slice(startLines).length).toBeLessThan(10);
    expect(relay.lines.join('\n')).not.toContain(WRONG);

    // /metrics, by reason and by the unknown token's first 8 characters.
    const m = samples(await (await fetch(`${relay.url}/metrics`)).text());
    const unknown = m.get('relay_refusals_total{reason="unknown_token"}') ?? 0;
    const json = m.get('relay_refusals_total{reason="invalid_json"}') ?? 0;
    expect(unknown).toBeGreaterThanOrEqual(wrong.requests);
    expect(unknown).toBeLessThanOrEqual(wrong.requests + 8);
    expect(json).toBeGreaterThanOrEqual(broken.requests);
    expect(json).toBeLessThanOrEqual(broken.requests + 4);
    expect(m.get('relay_refusals_unknown_token_total{token="5eedf00d…"}')).toBe(unknown);
    expect(m.get('relay_refusals_total{reason="spool_full"}')).toBe(0);

    // The page's JSON: one line per kind, the count for people.
    const status = (await (await fetch(`${relay.url}/admin/api/status`)).json()) as {
      attention: string[];
      refusals: { active: { reason: string; count: number; text: string }[] };
    };
    const line = status.refusals.active.find((a) => a.reason === 'unknown_token')!;
    expect(line.text).toStartWith(
      `A POS at 127.0.0.1 is sending an unknown or inactive token 5eedf00d…: ${unknown.toLocaleString('en-US')} times since `,
    );
    expect(status.attention).toContain(line.text);
    expect(status.refusals.active.find((a) => a.reason === 'invalid_json')?.text).toStartWith(
      'A POS at 127.0.0.1 is sending bodies that are not JSON in UTF-8 (token 7f3c2a91…',
    );

    // Stopping writes the counts not yet in a line: every refusal is accounted for in the log.
    expect(await stopBinary(relay, 'SIGTERM')).toBe(0);
    const all = parse(relay.lines.slice(startLines));
    const counted = (reason: string) =>
      all.filter((l) => l.reason === reason).reduce((n, l) => n + (typeof l.count === 'number' ? l.count : 1), 0);
    expect(counted('unknown_token')).toBe(unknown);
    expect(counted('invalid_json')).toBe(json);
    const summary = all.find((l) => l.reason === 'unknown_token' && typeof l.count === 'number')!;
    expect(summary.msg).toContain(`${(unknown - 1).toLocaleString('en-US')} more since`);
    expect(all.filter((l) => typeof l.reason === 'string').length).toBeLessThanOrEqual(4);
  }, 60_000);
});
