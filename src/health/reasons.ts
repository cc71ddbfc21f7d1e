import type { CloudStatus, PausedToken, StalledLane } from '../forward/index.ts';
import { type Language, type MessageKey, t } from '../i18n/index.ts';
import type { ClockStep } from '../lib/clock.ts';
import type { LogHealth } from '../lib/log.ts';
import { maskToken, scrubTokens } from '../lib/mask.ts';
import { duration, iso } from '../lib/time.ts';
import type { SpoolStats } from '../spool/index.ts';

/**
 * Why the relay is degraded: this file is the whole list. Each reason is its
 * id (the wire format: /health's `reasons[].id`), its check over what the
 * relay knows, how the status page colours it, and its sentence, side by side.
 * A new reason is one entry here; /health, the page's colour (admin/level.ts),
 * the page's list and `relay status` follow from it.
 */

/** What /health reports on, read at request time. */
export interface HealthSources {
  spool: SpoolStats;
  cloud: CloudStatus;
  paused: readonly PausedToken[];
  /** Lanes with events whose runner has not tried past its schedule (forwarder.stalled()). */
  stalled: readonly StalledLane[];
  /** Whether the log can be written (lib/log.ts). */
  log: LogHealth;
  /** Wall-clock steps (lib/clock.ts ClockStepWatch): the latest ones kept, oldest first, and how many since start. */
  clock: { recent: readonly ClockStep[]; steps: number };
  /** clock.mono() at this request: every age and window here is measured on it. */
  mono: number;
  /** The configured tokens: names for the sentences, and what to scrub from error strings. */
  tokens: readonly { token: string; name: string }[];
  version: string;
}

/**
 * The status page's colour for a reason: red (Degraded), amber (running,
 * needs attention), or amber while the outage is shorter than
 * admin.outage_amber_seconds and red after (admin/level.ts).
 */
export type PageColour = 'red' | 'amber' | 'amber_while_short';

interface ReasonDefinition {
  /** Stable snake_case, the wire format. */
  readonly id: string;
  readonly page: PageColour;
  /** One sentence per instance (a paused token, a stalled lane, a set-aside file); none: not a reason now. */
  readonly check: (s: HealthSources) => readonly Said[];
}

/**
 * A wall-clock step is a reason for this long after it was seen. Long enough
 * that a monitor polling /health every few minutes (Uptime Kuma's 60 s,
 * Nagios' 5 min) sees it at least once, and the page shows it to whoever
 * looks soon after; short enough that one correction at boot is not a lasting
 * "degraded". The relay itself acts on the monotonic clock, so nothing it does
 * is wrong meanwhile: what a person must know is that times recorded around
 * the step (received_at, the log's) are off by its size. A clock that keeps
 * stepping (a dead CMOS battery fighting NTP) keeps the reason.
 */
export const CLOCK_STEP_WINDOW_MS = 10 * 60_000;

/**
 * Steps smaller than this are logged and counted (/health's `clock`) but are
 * no reason: an NTP step of a few seconds at boot is routine, and a time
 * off by seconds misleads nobody reading an event or a log line.
 */
export const CLOCK_STEP_REASON_MIN_MS = 60_000;

/** "wall clock stepped back by 2 h (-7200000 ms)": a step's direction and size in words and in ms. */
export const describeStep = (deltaMs: number): string =>
  `wall clock stepped ${deltaMs < 0 ? 'back' : 'forwards'} by ${duration(Math.abs(deltaMs))} (${deltaMs > 0 ? '+' : ''}${deltaMs} ms)`;

/** How long the cloud has not answered, on the monotonic clock; null while it answers or the start is unknown. */
export const outageMs = (cloud: CloudStatus, mono: number): number | null =>
  cloud.reachable === false && cloud.sinceMono !== null ? Math.max(0, mono - cloud.sinceMono) : null;

/**
 * The latest step that is still a reason at `mono`, if any: a correction of
 * seconds right after a date fixed by hand does not hide the fix.
 */
export function recentStep(steps: readonly ClockStep[], mono: number): ClockStep | null {
  for (let i = steps.length - 1; i >= 0 && mono - steps[i]!.atMono < CLOCK_STEP_WINDOW_MS; i--) {
    if (Math.abs(steps[i]!.deltaMs) >= CLOCK_STEP_REASON_MIN_MS) return steps[i]!;
  }
  return null;
}

/**
 * A sentence by its key in the catalogs (i18n/en.ts) and its values: /health
 * says it in English, the status page in the site's language. A value that is
 * itself a sentence (a token's mask and name, "no answer") is a Said too.
 */
export interface Said {
  key: MessageKey;
  params: Readonly<Record<string, string | number | Said>>;
}
const said = (key: MessageKey, params: Said['params'] = {}): Said => ({ key, params });

/** `s` in `lang`, its inner sentences too. */
export function sayIn(lang: Language, s: Said): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(s.params)) params[k] = typeof v === 'object' ? sayIn(lang, v) : v;
  return t(lang, s.key, params);
}

const tokenOf = (s: HealthSources, token: string): Said => {
  const name = s.tokens.find((t) => t.token === token)?.name;
  return name
    ? said('reason.token_named', { token: maskToken(token), name })
    : said('reason.token', { token: maskToken(token) });
};
const scrub = (s: HealthSources, text: string): string =>
  scrubTokens(
    text,
    s.tokens.map((t) => t.token),
  );
/** "880 MB"; under 10 MB in KB, so a small quota does not read "0 MB of 1 MB". */
const size = (bytes: number): string =>
  bytes >= 10 * 1048576 ? `${Math.round(bytes / 1048576)} MB` : `${Math.round(bytes / 1024)} KB`;

/** In the order they are listed: what stops events being taken first, then what stops them moving. */
export const REASONS = [
  {
    id: 'spool_failing',
    page: 'red',
    check: (s) =>
      s.spool.lastWriteError === null
        ? []
        : [said('reason.spool_failing', { error: scrub(s, s.spool.lastWriteError) })],
  },
  {
    id: 'spool_full',
    page: 'red',
    check: ({ spool }) =>
      spool.bytes < spool.maxBytes
        ? []
        : [said('reason.spool_full', { used: size(spool.bytes), max: size(spool.maxBytes) })],
  },
  {
    id: 'spool_quarantined',
    page: 'red',
    check: ({ spool }) =>
      spool.quarantined.map((q) =>
        said(spool.salvaging ? 'reason.spool_quarantined_salvaging' : 'reason.spool_quarantined', {
          at: q.at,
          file: q.file,
          why: q.reason,
        }),
      ),
  },
  {
    id: 'cloud_unreachable',
    // A router restart or a cloud deploy is a blip during which nothing is lost: amber until it lasts.
    page: 'amber_while_short',
    check: (s) => {
      if (s.cloud.reachable !== false) return [];
      const out = outageMs(s.cloud, s.mono);
      const lasted = out === null ? '' : said('reason.cloud_lasted', { d: duration(out) });
      const why = s.cloud.lastError === null ? said('word.no_answer') : scrub(s, s.cloud.lastError);
      return [said('reason.cloud_unreachable', { lasted, why })];
    },
  },
  {
    id: 'token_paused',
    page: 'red',
    check: (s) => s.paused.map((p) => said('reason.token_paused', { token: tokenOf(s, p.token) })),
  },
  {
    id: 'lane_stalled',
    page: 'red',
    check: (s) =>
      s.stalled.map((l) =>
        said('reason.lane_stalled', { token: tokenOf(s, l.token), env: l.env, d: duration(l.overdueMs) }),
      ),
  },
  {
    id: 'log_failing',
    // Events are still taken and delivered; what is lost is the record of it.
    page: 'amber',
    check: ({ log }) =>
      log.ok
        ? []
        : [
            said(log.failures === 1 ? 'reason.log_failing_one' : 'reason.log_failing_other', {
              error: log.error ?? said('reason.unknown_error'),
              n: log.failures,
            }),
          ],
  },
  {
    id: 'clock_stepped',
    // The relay acts on the monotonic clock; only the times people read are off.
    page: 'amber',
    check: (s) => {
      const step = recentStep(s.clock.recent, s.mono);
      if (step === null) return [];
      return [
        said('reason.clock_stepped', {
          direction: said(step.deltaMs < 0 ? 'reason.back' : 'reason.forwards'),
          d: duration(Math.abs(step.deltaMs)),
          ms: `${step.deltaMs > 0 ? '+' : ''}${step.deltaMs}`,
          at: iso(step.at),
          ago: duration(s.mono - step.atMono),
        }),
      ];
    },
  },
] as const satisfies readonly ReasonDefinition[];

export type ReasonId = (typeof REASONS)[number]['id'];

export const REASON_IDS: readonly ReasonId[] = REASONS.map((r) => r.id);

export interface Reason {
  id: ReasonId;
  /** One sentence for a person; tokens show their first 8 characters. */
  detail: string;
}

/**
 * Each reason's sentence by key, beside its English `detail`: /health's body
 * stays { id, detail } while the status page says the same in the site's
 * language (saidOf).
 */
const SAID = new WeakMap<Reason, Said>();

/** The sentence behind `r`, for another language; undefined for a reason read back from elsewhere. */
export const saidOf = (r: Reason): Said | undefined => SAID.get(r);

/** Every reason that holds now, in REASONS' order. */
export const reasonsOf = (s: HealthSources): Reason[] =>
  REASONS.flatMap((r) =>
    r.check(s).map((x) => {
      const reason: Reason = { id: r.id, detail: sayIn('en', x) };
      SAID.set(reason, x);
      return reason;
    }),
  );

/** A reason's colour on the page; an id this relay does not know (a newer relay's) is red. */
export function pageColour(id: string): PageColour {
  return REASONS.find((r) => r.id === id)?.page ?? 'red';
}
