import { type Language, LOCALE, number, t } from '../i18n/index.ts';
import { ACTIVITY_BUCKET_MS, ACTIVITY_BUCKETS, BucketCounts } from '../lib/buckets.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { maskToken } from '../lib/mask.ts';
import type { RefusalCounts } from '../lib/metrics.ts';
import { HOUR_MS } from '../lib/time.ts';
import { REFUSAL_IDS, REFUSALS, type RefusalId } from './refusal.ts';

/**
 * The refusal tally: every refusal of the webhook endpoint, counted by
 * reason and by token (its first 8 characters), with when it was first and
 * last seen. /metrics, the status page and the alerts read it; nothing else
 * keeps a count of refusals.
 *
 * It also writes the refusals' log, rate-limited: a POS with a wrong token
 * retries as fast as it can (millions of 401s a minute), and a line per
 * refusal would bury everything else and fill the disk. The first refusal of
 * a kind for a token is logged at once, with the masked token and the client
 * address; after that, one line a minute per kind says how many more came.
 * A token quiet for a minute is news again on its next refusal.
 *
 * `record` is on the ingest path: O(1), memory only, and it never throws.
 */

/** Distinct tokens kept per reason; more are counted together as OTHER, so random tokens grow neither memory nor metric series. */
export const MAX_TOKENS_PER_REASON = 50;
/** The token key of refusals beyond MAX_TOKENS_PER_REASON. A masked token ends with "…", so it never collides. */
export const OTHER = 'other';
/** Shown for a refusal whose path carried no token. */
export const NO_TOKEN = '(no token)';
/** At most one summary line per kind this often. */
export const SUMMARY_EVERY_MS = 60_000;
/** Immediate lines per kind in a minute (new tokens); beyond that, they wait for the summary. */
export const FIRST_LINES_PER_MINUTE = 5;
/** Refusals seen this recently are "active": the page lists them. */
export const ACTIVE_MS = 10 * 60_000;
/** Tokens named in one summary line. */
const SUMMARY_TOKENS = 5;
/** `recent` counts this many whole minutes back (monotonic), the current one included: "still arriving" for the alerts. */
export const RECENT_MINUTES = 5;
const MINUTE = 60_000;

/** One kind of refusal for one token, as readers see it. */
export interface RefusalEntry {
  reason: RefusalId;
  status: number;
  /** First 8 characters and "…", NO_TOKEN, or OTHER. */
  token: string;
  /** The client address of its first refusal, when the server could tell. */
  client: string | null;
  count: number;
  /** Wall times, for people. */
  firstAt: number;
  lastAt: number;
  /** Monotonic time of the latest, for "is it still going on". */
  lastMono: number;
  /** Refusals in the last RECENT_MINUTES minutes. */
  recent: number;
}

export interface ReasonCount {
  reason: RefusalId;
  status: number;
  count: number;
  firstAt: number | null;
  lastAt: number | null;
  lastMono: number | null;
}

interface TokenTally extends Omit<RefusalEntry, 'recent'> {
  /** Refusals per minute of the monotonic clock, a ring of RECENT_MINUTES slots; `minute` is the latest one counted. */
  perMinute: number[];
  minute: number;
  /** Refusals since the last line that counted them. */
  pending: number;
  /** A line named this token in the current stretch of refusals. */
  told: boolean;
}

interface ReasonTally extends ReasonCount {
  tokens: Map<string, TokenTally>;
  /** When the current minute of logging began (monotonic); null while the kind is quiet. */
  windowMono: number | null;
  firstLinesLeft: number;
  pending: number;
  /** Wall time of the first refusal not yet in a line. */
  pendingSince: number | null;
  /** The latest internal note (a storage error), for the summary. */
  note: string | null;
}

const DEF = Object.fromEntries(REFUSALS.map((r) => [r.id, r])) as Record<RefusalId, (typeof REFUSALS)[number]>;

/** "3,366,426" ("3.366.426" in Portuguese): counts as people read them. */
export const people = (n: number, lang: Language = 'en'): string => number(lang, n);

const formatters = new Map<string, Intl.DateTimeFormat>();
/** "14:02" in `zone`; with no zone, "14:02 UTC". Longer ago than `now` by a day or more, the date too. */
export function clockTime(at: number, zone: string | null, now = at, lang: Language = 'en'): string {
  const tz = zone ?? 'UTC';
  const withDate = now - at >= 20 * HOUR_MS;
  const key = `${tz}|${withDate}|${lang}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone: tz,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(withDate ? { weekday: 'short', day: 'numeric', month: 'short' } : {}),
    });
    formatters.set(key, f);
  }
  return `${f.format(at)}${zone === null ? ' UTC' : ''}`;
}

/**
 * The status page's sentence for one entry, `name` the token's configured
 * name if any: "A POS at 10.0.0.7 is sending an unknown or inactive token
 * 7f3c2a91…: 3,366,426 times since 14:02".
 */
export function refusalLine(
  e: RefusalEntry,
  zone: string | null,
  now: number,
  name = '',
  lang: Language = 'en',
): string {
  const token =
    e.token === OTHER
      ? t(lang, 'refusal.token_other')
      : e.token === NO_TOKEN
        ? t(lang, 'refusal.no_token')
        : name
          ? t(lang, 'refusal.token_named', { token: e.token, name })
          : t(lang, 'refusal.token', { token: e.token });
  const pos = e.client ? t(lang, 'refusal.pos_at', { client: e.client }) : t(lang, 'refusal.pos');
  return t(lang, 'refusal.line', {
    what: t(lang, `refusal.${e.reason}`, { token, pos }),
    times: e.count === 1 ? t(lang, 'refusal.once') : t(lang, 'refusal.times', { n: e.count }),
    time: clockTime(e.firstAt, zone, now, lang),
  });
}

export interface TallyDeps {
  clock: Clock;
  log: Logger;
  /** How often the summary timer looks at the monotonic clock (tests make it short). */
  tickMs?: number;
}

export class RefusalTally implements RefusalCounts {
  private readonly reasons = new Map<RefusalId, ReasonTally>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The last token masked: a flooding POS sends the same one again and again. */
  private lastToken = '';
  private lastMasked = '';
  /** Refusals per 15 minutes of wall time since start: the status page's 24-hour chart. */
  readonly perInterval = new BucketCounts(ACTIVITY_BUCKET_MS, ACTIVITY_BUCKETS);

  constructor(private readonly deps: TallyDeps) {
    for (const r of REFUSALS) {
      this.reasons.set(r.id, {
        reason: r.id,
        status: r.status,
        count: 0,
        firstAt: null,
        lastAt: null,
        lastMono: null,
        tokens: new Map(),
        windowMono: null,
        firstLinesLeft: FIRST_LINES_PER_MINUTE,
        pending: 0,
        pendingSince: null,
        note: null,
      });
    }
  }

  /**
   * One refusal. `client` is asked only when the token is new to this kind.
   * `note` is for the log only (a storage error); it is never sent.
   */
  record(reason: RefusalId, token: string | null, client?: () => string | null, note?: string): void {
    try {
      this.count(reason, token, client, note);
    } catch {
      // Counting a refusal must never turn it into a 500.
    }
  }

  private count(reason: RefusalId, token: string | null, client?: () => string | null, note?: string): void {
    const r = this.reasons.get(reason)!;
    const now = this.deps.clock.now();
    const mono = this.deps.clock.mono();
    r.count++;
    r.firstAt ??= now;
    r.lastAt = now;
    r.lastMono = mono;
    this.perInterval.add(now);
    if (note !== undefined) r.note = note;
    const t = this.entry(r, this.key(token), client, now, mono);
    t.count++;
    t.lastAt = now;
    t.lastMono = mono;
    const minute = Math.floor(mono / MINUTE);
    if (minute !== t.minute) roll(t, minute);
    t.perMinute[minute % RECENT_MINUTES]!++;

    if (r.windowMono === null) {
      r.windowMono = mono;
      r.firstLinesLeft = FIRST_LINES_PER_MINUTE;
      this.startTimer();
    }
    if (!t.told && r.firstLinesLeft > 0) {
      r.firstLinesLeft--;
      t.told = true;
      this.first(t, note);
      return;
    }
    t.pending++;
    r.pending++;
    r.pendingSince ??= now;
  }

  private key(token: string | null): string {
    if (token === null || token === '') return NO_TOKEN;
    if (token !== this.lastToken) {
      this.lastToken = token;
      this.lastMasked = maskToken(token);
    }
    return this.lastMasked;
  }

  private entry(r: ReasonTally, key: string, client: (() => string | null) | undefined, now: number, mono: number) {
    let t = r.tokens.get(key);
    if (t) return t;
    if (r.tokens.size >= MAX_TOKENS_PER_REASON + (r.tokens.has(OTHER) ? 1 : 0)) {
      key = OTHER;
      t = r.tokens.get(OTHER);
      if (t) return t;
    }
    let address: string | null = null;
    if (key !== OTHER && client) {
      try {
        address = client();
      } catch {
        address = null;
      }
    }
    t = {
      reason: r.reason,
      status: r.status,
      token: key,
      client: address,
      count: 0,
      firstAt: now,
      lastAt: now,
      lastMono: mono,
      perMinute: new Array(RECENT_MINUTES).fill(0),
      minute: Math.floor(mono / MINUTE),
      pending: 0,
      told: false,
    };
    r.tokens.set(key, t);
    return t;
  }

  /** The line for a token's first refusal of a kind. */
  private first(t: TokenTally, note: string | undefined): void {
    const def = DEF[t.reason];
    const from = t.client ? ` from ${t.client}` : '';
    this.write(
      def.level,
      {
        reason: t.reason,
        status: t.status,
        token: t.token,
        ...(t.client ? { client: t.client } : {}),
        ...(note !== undefined ? { err: note } : {}),
      },
      `${def.log} (token ${t.token}${from}); more are counted, one line a minute`,
    );
  }

  /** One line for a kind: how many more since the last line, and for which tokens. */
  private summary(r: ReasonTally): void {
    const busy = [...r.tokens.values()].filter((t) => t.pending > 0).sort((a, b) => b.pending - a.pending);
    const named = busy.slice(0, SUMMARY_TOKENS);
    const rest = busy.length - named.length;
    const list = named.map((t) => `${t.token} ${people(t.pending)}`).join(', ');
    const since = r.pendingSince ?? this.deps.clock.now();
    this.write(
      DEF[r.reason].level,
      {
        reason: r.reason,
        status: r.status,
        count: r.pending,
        since: new Date(since).toISOString(),
        total: r.count,
        tokens: Object.fromEntries(named.map((t) => [t.token, t.pending])),
        ...(r.note !== null ? { err: r.note } : {}),
      },
      `${DEF[r.reason].log}: ${people(r.pending)} more since ${clockTime(since, null)} (${list}${rest > 0 ? ` and ${rest} other token${rest === 1 ? '' : 's'}` : ''})`,
    );
  }

  private write(level: 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
    try {
      this.deps.log[level](fields, msg);
    } catch {
      // A log that cannot be written is reported by the log itself; refusals go on being counted.
    }
  }

  /**
   * Writes the summary of each kind whose minute is over, and forgets which
   * tokens were told once they have been quiet for a minute. Run by the
   * timer; tests call it after moving a FakeClock. Never throws.
   */
  tick(): void {
    try {
      const mono = this.deps.clock.mono();
      let open = false;
      for (const r of this.reasons.values()) {
        if (r.windowMono === null) continue;
        if (mono - r.windowMono < SUMMARY_EVERY_MS) {
          open = true;
          continue;
        }
        this.close(r, mono);
        if (r.windowMono !== null) open = true;
      }
      if (!open) this.stopTimer();
    } catch {
      // The next tick tries again.
    }
  }

  /** Ends a kind's minute: its summary if anything waits (and a new minute), else the kind goes quiet. */
  private close(r: ReasonTally, mono: number): void {
    if (r.pending > 0) {
      this.summary(r);
      r.windowMono = mono;
    } else {
      r.windowMono = null;
    }
    r.firstLinesLeft = FIRST_LINES_PER_MINUTE;
    for (const t of r.tokens.values()) {
      // Named in the summary, or quiet for a minute: a later refusal is news again only in the second case.
      t.told = t.pending > 0 || (t.told && mono - t.lastMono < SUMMARY_EVERY_MS);
      t.pending = 0;
    }
    r.pending = 0;
    r.pendingSince = null;
    r.note = null;
  }

  /** Writes what waits for a summary now (the relay is stopping) and stops the timer. */
  flush(): void {
    try {
      for (const r of this.reasons.values()) {
        if (r.pending > 0) this.summary(r);
        r.windowMono = null;
        r.firstLinesLeft = FIRST_LINES_PER_MINUTE;
        for (const t of r.tokens.values()) {
          t.told = false;
          t.pending = 0;
        }
        r.pending = 0;
        r.pendingSince = null;
        r.note = null;
      }
    } catch {
      // Stopping goes on.
    }
    this.stopTimer();
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? 1000);
    // A quiet relay has no timer at all, and this one never holds the process open.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private stopTimer(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the summary timer runs (it stops once every kind is quiet). */
  get ticking(): boolean {
    return this.timer !== null;
  }

  /** Every reason, 0 included, in REFUSALS order. */
  reasonCounts(): ReasonCount[] {
    return [...this.reasons.values()].map(({ reason, status, count, firstAt, lastAt, lastMono }) => ({
      reason,
      status,
      count,
      firstAt,
      lastAt,
      lastMono,
    }));
  }

  /** Every kind-and-token entry seen since start, most refused first. */
  entries(): RefusalEntry[] {
    const out: RefusalEntry[] = [];
    const mono = this.deps.clock.mono();
    for (const r of this.reasons.values()) {
      for (const t of r.tokens.values()) {
        const { pending: _p, told: _t, perMinute: _m, minute: _n, ...e } = t;
        out.push({ ...e, recent: recent(t, mono) });
      }
    }
    return out.sort((a, b) => b.count - a.count);
  }

  /** Entries refused within `withinMs` (monotonic), most refused first. */
  active(withinMs = ACTIVE_MS): RefusalEntry[] {
    const mono = this.deps.clock.mono();
    return this.entries().filter((e) => mono - e.lastMono < withinMs);
  }

  byReason(): Record<string, number> {
    return Object.fromEntries(REFUSAL_IDS.map((id) => [id, this.reasons.get(id)!.count]));
  }

  unknownTokens(): Record<string, number> {
    const r = this.reasons.get('unknown_token')!;
    return Object.fromEntries([...r.tokens.values()].map((t) => [t.token, t.count]));
  }
}

/** Moves a token's ring to `minute`, emptying the slots of the minutes that passed without a refusal. */
function roll(t: TokenTally, minute: number): void {
  const from = Math.max(t.minute + 1, minute - RECENT_MINUTES + 1);
  for (let m = from; m <= minute; m++) t.perMinute[m % RECENT_MINUTES] = 0;
  t.minute = minute;
}

/** Refusals in the RECENT_MINUTES whole minutes up to `mono`'s. */
function recent(t: TokenTally, mono: number): number {
  const now = Math.floor(mono / MINUTE);
  let n = 0;
  for (let m = now - RECENT_MINUTES + 1; m <= now; m++)
    if (m <= t.minute && m > t.minute - RECENT_MINUTES) n += t.perMinute[m % RECENT_MINUTES]!;
  return n;
}
