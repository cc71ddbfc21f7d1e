import type { Config } from '../../config/index.ts';
import { maskToken, scrubTokens } from '../../lib/mask.ts';
import { duration, iso } from '../../lib/time.ts';
import { type DrainEstimate, drainWords, type LaneCounts, type SpoolStats } from '../../spool/index.ts';
import { type Command, type Io, loadConfigFor, parseCommandArgs } from '../context.ts';
import { type Probe, probeRelay, tokenNames, withSpool } from '../lib/local.ts';
import { localTime, printJson, table } from '../lib/output.ts';

export const status: Command = {
  name: 'status',
  summary: 'is the relay running and healthy, is the cloud reachable, what waits per lane',
  usage: 'relay status [--json] [--config FILE]',
  async run(args, io) {
    const { values } = parseCommandArgs('status', args, { json: { type: 'boolean' } });
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const { config } = loaded;
    const [p, read] = await Promise.all([probeRelay(config), readSpool(config, io)]);
    if (read === undefined) return 1;
    const { lanes, quarantined, drain } = read;
    // A connection error may quote the URL, and with it a full token.
    const known = [...config.tokens.map((t) => t.token), ...lanes.map((l) => l.token)];
    if (p.running && p.health.cloud?.last_error) {
      p.health.cloud.last_error = scrubTokens(p.health.cloud.last_error, known);
    }
    if (p.running) for (const r of p.health.reasons ?? []) r.detail = scrubTokens(r.detail, known);
    // Exit 1 when the relay is not running or not healthy, so scripts and monitors can use it.
    const code = p.running && p.health.status === 'ok' ? 0 : 1;
    const drainSeconds = drain.kind === 'draining' ? drain.seconds : null;
    if (values.json) {
      printJson(io, {
        ...toJson(config, p, lanes),
        quarantined,
        drain: { seconds: drainSeconds, text: drainWords(drain) },
      });
    } else {
      printHuman(io, config, p, lanes, quarantined);
      // At the pace of the last minute's deliveries, as the status page says it.
      if (drain.kind !== 'empty') io.out(`drain:  ${drainWords(drain)}`);
    }
    // A quarantined spool needs a person even when the relay serves (/health says degraded then too).
    return quarantined.length > 0 ? 1 : code;
  },
};

type Quarantined = SpoolStats['quarantined'];

/** The lanes, and the damaged files set aside: read from the spool file, whether or not the relay runs. */
async function readSpool(
  config: Config,
  io: Io,
): Promise<{ lanes: LaneCounts[]; quarantined: Quarantined; drain: DrainEstimate } | undefined> {
  let lanes: LaneCounts[] = [];
  let quarantined: Quarantined = [];
  let drain: DrainEstimate = { kind: 'empty' };
  const code = await withSpool(
    config,
    io,
    async (spool) => {
      lanes = await spool.laneCounts();
      quarantined = spool.quarantined();
      drain = spool.drain();
      return 0;
    },
    () => 0, // no spool file yet: nothing was ever received
  );
  return code === 0 ? { lanes, quarantined, drain } : undefined;
}

function toJson(config: Config, p: Probe, lanes: LaneCounts[]) {
  const now = Date.now();
  const names = tokenNames(config);
  const sum = (k: 'pending' | 'delivered' | 'dead') => lanes.reduce((n, l) => n + l[k], 0);
  return {
    relay: p.running
      ? {
          running: true,
          url: p.url,
          status: p.health.status,
          version: p.health.version ?? null,
          // An older relay gives none: null, not "no reason".
          reasons: p.health.reasons ?? null,
        }
      : { running: false, url: p.url, reason: p.reason },
    cloud: p.running
      ? {
          reachable: p.health.cloud?.reachable ?? null,
          since: p.health.cloud?.since ?? null,
          last_delivery_at: p.health.cloud?.last_delivery_at ?? null,
          last_error: p.health.cloud?.last_error ?? null,
        }
      : { reachable: null, since: null, last_delivery_at: null, last_error: null },
    paused_tokens: p.running ? (p.health.paused_tokens ?? []) : [],
    spool: {
      path: config.spool.path,
      ...(p.running && p.health.spool
        ? {
            bytes: p.health.spool.bytes,
            max_bytes: p.health.spool.max_bytes,
            error: p.health.spool.error ?? null,
            quarantined: p.health.spool.quarantined ?? [],
          }
        : {}),
    },
    totals: { pending: sum('pending'), delivered: sum('delivered'), dead: sum('dead') },
    lanes: lanes.map((l) => ({
      token: maskToken(l.token),
      name: names.get(l.token) ?? null,
      env: l.env,
      pending: l.pending,
      delivered: l.delivered,
      dead: l.dead,
      oldest_pending_at: iso(l.oldestPendingAt),
      oldest_pending_age_seconds:
        l.oldestPendingAt === null ? null : Math.max(0, Math.floor((now - l.oldestPendingAt) / 1000)),
    })),
  };
}

function printHuman(io: Io, config: Config, p: Probe, lanes: LaneCounts[], quarantined: Quarantined): void {
  const now = Date.now();
  const names = tokenNames(config);
  if (p.running) {
    const h = p.health;
    io.out(
      `relay:  running at ${p.url.replace(/\/health$/, '')} — ${h.status}${h.version ? ` (version ${h.version})` : ''}`,
    );
    // Why it is degraded, in the relay's own words (an older relay gives none).
    for (const r of h.reasons ?? []) io.out(`        ${r.id}: ${r.detail}`);
    const c = h.cloud ?? {};
    const since = c.since ? ` since ${localTime(Date.parse(c.since))}` : '';
    const reach =
      c.reachable === true
        ? `reachable${since}`
        : c.reachable === false
          ? `NOT reachable${since}${c.last_error ? ` (${c.last_error})` : ''}`
          : 'not tried yet (nothing sent since start)';
    io.out(`cloud:  ${reach} — ${config.cloud.url}`);
    io.out(
      `        last delivery: ${c.last_delivery_at ? localTime(Date.parse(c.last_delivery_at)) : 'none since start'}`,
    );
    for (const t of h.paused_tokens ?? []) io.out(`        PAUSED token ${t.token}: ${t.reason}`);
    if (h.spool?.error) io.out(`spool:  ERROR ${h.spool.error}`);
    if (h.spool?.salvaging)
      io.out('spool:  putting the readable waiting events of a damaged file back; deliveries wait for it');
  } else {
    io.out(`relay:  not running${p.url ? ` (no answer at ${p.url}: ${p.reason})` : ` (${p.reason})`}`);
    io.out(`cloud:  unknown while the relay is stopped; "relay doctor" checks ${config.cloud.url} directly`);
  }
  io.out(`spool:  ${config.spool.path}`);
  for (const q of quarantined) {
    io.out(`spool:  DAMAGED file set aside at ${localTime(Date.parse(q.at))}: ${q.file} (${q.reason})`);
    io.out(
      '        its readable waiting events are put back on their own; keep the file for support, then move it away',
    );
  }
  if (lanes.length === 0) {
    io.out('\nno events in the spool');
    return;
  }
  const rows = lanes.map((l) => [
    names.has(l.token) ? `${maskToken(l.token)} ${names.get(l.token)}` : maskToken(l.token),
    l.env,
    String(l.pending),
    l.oldestPendingAt === null ? '-' : duration(now - l.oldestPendingAt),
    String(l.delivered),
    String(l.dead),
  ]);
  const sum = (k: 'pending' | 'delivered' | 'dead') => String(lanes.reduce((n, l) => n + l[k], 0));
  if (lanes.length > 1) rows.push(['total', '', sum('pending'), '', sum('delivered'), sum('dead')]);
  io.out('');
  io.out(table(['TOKEN', 'ENV', 'PENDING', 'OLDEST PENDING', 'DELIVERED', 'DEAD'], rows));
  if (lanes.some((l) => l.dead > 0))
    io.out('\ndead letters: relay events list --status dead; re-send with relay events replay ID... or --all-dead');
}
