import type { Config } from '../../config/index.ts';
import { drainSentence, type Language, languageOr, t } from '../../i18n/index.ts';
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
      const lang = languageOr(config.site.language);
      const say = printHuman(io, lang, config, p, lanes, quarantined);
      // At the pace of the last minute's deliveries, as the status page says it.
      if (drain.kind !== 'empty') say('cli.label.drain', drainSentence(lang, drain));
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

/**
 * The human view in `[site] language`: "label:  text" lines, the labels
 * padded to the language's longest; returns the line printer for what follows.
 */
function printHuman(
  io: Io,
  lang: Language,
  config: Config,
  p: Probe,
  lanes: LaneCounts[],
  quarantined: Quarantined,
): (label: LabelKey, text: string) => void {
  const now = Date.now();
  const names = tokenNames(config);
  const w = (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => t(lang, key, params);
  // "relay:  running…": the label, its colon and two spaces.
  const width = Math.max(...LABELS.map((k) => w(k).length)) + 3;
  const say = (label: LabelKey, text: string) => io.out(`${`${w(label)}:`.padEnd(width)}${text}`);
  const more = (text: string) => io.out(`${' '.repeat(width)}${text}`);
  if (p.running) {
    const h = p.health;
    const state =
      h.status === 'ok' ? w('cli.health_ok') : h.status === 'degraded' ? w('cli.health_degraded') : h.status;
    say(
      'cli.label.relay',
      w('cli.running', {
        url: p.url.replace(/\/health$/, ''),
        status: state,
        version: h.version ? w('cli.version', { version: h.version }) : '',
      }),
    );
    // Why it is degraded, in the relay's own words (/health is English, the machine view; an older relay gives none).
    for (const r of h.reasons ?? []) more(`${r.id}: ${r.detail}`);
    const c = h.cloud ?? {};
    const since = c.since ? w('cli.since', { time: localTime(Date.parse(c.since)) }) : '';
    const reach =
      c.reachable === true
        ? w('cli.reachable', { since })
        : c.reachable === false
          ? w('cli.unreachable', { since, error: c.last_error ? ` (${c.last_error})` : '' })
          : w('cli.untried');
    say('cli.label.cloud', `${reach} — ${config.cloud.url}`);
    more(
      w('cli.last_delivery', {
        when: c.last_delivery_at ? localTime(Date.parse(c.last_delivery_at)) : w('cli.none_since_start'),
      }),
    );
    for (const x of h.paused_tokens ?? []) more(w('cli.paused', { token: String(x.token), reason: String(x.reason) }));
    if (h.spool?.error) say('cli.label.spool', w('cli.spool_error', { error: h.spool.error }));
    if (h.spool?.salvaging) say('cli.label.spool', w('cli.salvaging'));
  } else {
    say(
      'cli.label.relay',
      p.url ? w('cli.not_running_at', { url: p.url, reason: p.reason }) : w('cli.not_running', { reason: p.reason }),
    );
    say('cli.label.cloud', w('cli.cloud_unknown', { url: config.cloud.url }));
  }
  say('cli.label.spool', config.spool.path);
  for (const q of quarantined) {
    say('cli.label.spool', w('cli.damaged', { time: localTime(Date.parse(q.at)), file: q.file, reason: q.reason }));
    more(w('cli.damaged_hint'));
  }
  if (lanes.length === 0) {
    io.out(`\n${w('cli.no_events')}`);
    return say;
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
  if (lanes.length > 1) rows.push([w('cli.total'), '', sum('pending'), '', sum('delivered'), sum('dead')]);
  io.out('');
  io.out(
    table(
      (
        [
          'cli.col.token',
          'cli.col.env',
          'cli.col.pending',
          'cli.col.oldest',
          'cli.col.delivered',
          'cli.col.dead',
        ] as const
      ).map((k) => w(k)),
      rows,
    ),
  );
  if (lanes.some((l) => l.dead > 0)) io.out(`\n${w('cli.dead_hint')}`);
  return say;
}

/** The line labels, padded alike. */
const LABELS = ['cli.label.relay', 'cli.label.cloud', 'cli.label.spool', 'cli.label.drain'] as const;
type LabelKey = (typeof LABELS)[number];
