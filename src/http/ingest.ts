import type { WarningsInBody } from '../config/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { maskToken } from '../lib/mask.ts';
import type { RelayMetrics } from '../lib/metrics.ts';
import { Buckets } from '../lib/token-bucket.ts';
import { ENVS, type Env, type Spool, SpoolFullError } from '../spool/index.ts';
import { payloadWarnings, TABLE_WINDOW, TableShapes, type WarningContext } from '../warnings/index.ts';
import type { Answer } from './answer.ts';
import { checkJson, splitBom } from './body.ts';
import { type IngestRefusal, ingestRefusal } from './refusal.ts';
import { RefusalTally } from './tally.ts';
import { WARNING_HEADER, warningHeaderValue, warningsInBody } from './warning-header.ts';

export interface TokenEntry {
  token: string;
  name: string;
  active: boolean;
}

export interface IngestSettings {
  tokens: TokenEntry[];
  ratePerToken: number;
  burstPerToken: number;
  maxBodyBytes: number;
  /** `server.body_timeout_seconds`: a body's base time to arrive (deadline.ts); 20 when not given. */
  bodyTimeoutSeconds?: number;
  /** `server.max_uploads`: bodies arriving at once; 256 when not given. */
  maxUploads?: number;
  /** `site.timezone`; null when the config carries none (one built in code), which skips the zone check. */
  siteZone: string | null;
  /** `warnings.clock_ahead_minutes`, in ms. */
  clockAheadMs: number;
  /** `warnings.identifier_min_samples`. */
  identifierMinSamples: number;
  /** `warnings.in_body`: which 200s carry the warnings in the body besides the header; "dev" when not given. */
  warningsInBody?: WarningsInBody;
}

/** What an operator can do about a closed connection: the usual causes, in the POS's HTTP client. */
const CONNECTION_HINT =
  'the POS closed the connection, or sent a second request (or a CRLF after the body) before the answer; one request at a time per connection, no pipelining';

export const INVALID_TOKEN = 'Invalid or inactive webhook token';

/** Seconds a POS should wait when the spool is full: delivery frees room at the cloud's pace. */
const FULL_RETRY_AFTER_S = 30;
/** ...and after a database error, which is usually short-lived (a busy or full disk). */
const ERROR_RETRY_AFTER_S = 5;

/**
 * Tokens are looked up by their SHA-256, so the lookup's timing depends on a
 * digest the caller cannot steer, not on how many leading characters of a real
 * token were guessed (a constant-time comparison in effect).
 */
const digest = (token: string): string => Bun.SHA256.hash(token, 'hex');

/** The contract, as a service: no request object, just its parts. */
export class IngestService {
  private active = new Map<string, TokenEntry>();
  private readonly buckets: Buckets;
  /** Per token, the shapes of its latest table_number values; seeded from the spool so a restart keeps them. */
  private readonly tables = new TableShapes(TABLE_WINDOW);
  /** Relay minus cloud, as last told by `noteCloudClock`; null while unknown. */
  private relayClockSkewMs: number | null = null;
  /** Every refusal of the webhook endpoint is counted and logged here (tally.ts). */
  readonly refusals: RefusalTally;

  constructor(
    private settings: IngestSettings,
    private readonly deps: { spool: Spool; clock: Clock; log: Logger; metrics?: RelayMetrics },
  ) {
    this.buckets = new Buckets(this.limits(), deps.clock);
    this.refusals = new RefusalTally({ clock: deps.clock, log: deps.log });
    deps.metrics?.watchRefusals(this.refusals);
    this.configure(settings);
  }

  /** The relay is stopping: the refusals not yet in a log line are written now. */
  stop(): void {
    this.refusals.flush();
  }

  configure(settings: IngestSettings): void {
    this.settings = settings;
    this.active = new Map(settings.tokens.filter((t) => t.active).map((t) => [digest(t.token), t]));
    this.buckets.setLimits(this.limits());
    // Active tokens only: the others cannot post, and a reload that activates one seeds it then.
    this.seedTables(settings.tokens.filter((t) => t.active).map((t) => t.token));
  }

  /**
   * How far the relay's clock is from the cloud's: relay minus cloud in ms,
   * from a cloud answer's Date header; null forgets it. A timestamp ahead of
   * the relay's clock then blames this PC's clock rather than the POS's when
   * the skew is past `warnings.clock_ahead_minutes`.
   */
  noteCloudClock(skewMs: number | null): void {
    this.relayClockSkewMs = skewMs !== null && Number.isFinite(skewMs) ? skewMs : null;
  }

  /** Learns each new token's recent table_number values from the spool; forgets removed tokens. */
  private seedTables(tokens: string[]): void {
    const wanted = new Set(tokens);
    for (const token of tokens) {
      if (this.tables.knows(token)) continue;
      try {
        this.tables.seed(token, this.deps.spool.recentBodies(token, TABLE_WINDOW));
      } catch (e) {
        // Advice only: a spool that cannot be read here fails loudly where it matters (append).
        this.tables.seed(token, []);
        this.deps.log.warn({ token: maskToken(token), err: (e as Error).message }, 'table_number history not read');
      }
    }
    for (const token of this.tables.tokens()) if (!wanted.has(token)) this.tables.forget(token);
  }

  private limits() {
    return { ratePerSec: this.settings.ratePerToken, capacity: this.settings.burstPerToken };
  }

  get maxBodyBytes(): number {
    return this.settings.maxBodyBytes;
  }

  get bodyTimeoutSeconds(): number {
    return this.settings.bodyTimeoutSeconds ?? 20;
  }

  get maxUploads(): number {
    return this.settings.maxUploads ?? 256;
  }

  /** Checks that need no body: env, token, rate. Returns an answer to send, or the lane to use. */
  admit(token: string, envValues: string[]): IngestRefusal | { env: Env; token: string } {
    if (envValues.length > 1 || (envValues.length === 1 && !isEnv(envValues[0]!))) {
      const got = envValues.length > 1 ? envValues.join(',') : envValues[0]!;
      return ingestRefusal(
        'bad_request',
        `Invalid env ${JSON.stringify(got.slice(0, 40))}: allowed values are "prod" (the default) and "dev"`,
      );
    }
    const env: Env = (envValues[0] as Env | undefined) ?? 'prod';
    const entry = this.active.get(digest(token));
    if (!entry) return ingestRefusal('unknown_token', INVALID_TOKEN);
    const take = this.buckets.take(entry.token);
    if (!take.allowed) {
      const retry = Math.max(1, Math.ceil(take.waitMs / 1000));
      return ingestRefusal(
        'rate_limited',
        `Too Many Requests: at most ${this.settings.ratePerToken} requests per second per token (burst ${this.settings.burstPerToken})`,
        { headers: { 'Retry-After': String(retry) } },
      );
    }
    return { env, token: entry.token };
  }

  /**
   * A request whose connection closed before it was stored (the POS went
   * away, or sent more on the connection than Bun's server reads behind a
   * pending answer): not stored, so the POS's resend makes no duplicate.
   */
  notStored(token: string, client: () => string | null): void {
    this.deps.log.warn(
      { token: maskToken(token), client: client(), hint: CONNECTION_HINT },
      'webhook not stored: its connection closed before the answer',
    );
  }

  /** An event stored whose answer could not be sent: the POS may send it again, and the cloud would get it twice. */
  answerLost(token: string, eventId: string, client: () => string | null): void {
    this.deps.log.warn(
      { event_id: eventId, token: maskToken(token), client: client(), hint: CONNECTION_HINT },
      'event stored, but its connection closed before the answer: a resend by the POS is a duplicate of it',
    );
  }

  /**
   * Checks the body and stores it; answers 200 only once it is on disk. A
   * UTF-8 byte order mark is not part of the JSON text: what is stored and
   * forwarded starts after it (body.ts splitBom).
   */
  async store(token: string, env: Env, received: Uint8Array): Promise<Answer | IngestRefusal> {
    const { bytes, bom } = splitBom(received);
    const checked = checkJson(bytes);
    if (!checked.ok) return ingestRefusal('invalid_json', checked.detail);
    // Advice only: the exact bytes are stored and forwarded whatever it says.
    const s = this.settings;
    const ctx: WarningContext = {
      env,
      siteZone: s.siteZone,
      now: this.deps.clock.now(),
      clockAheadMs: s.clockAheadMs,
      relayClockSkewMs: this.relayClockSkewMs,
      usualTable: this.tables.usual(token, s.identifierMinSamples),
      bom,
    };
    const warnings = payloadWarnings(checked.value, ctx);
    const messages = warnings.map((w) => w.message);
    try {
      const r = await this.deps.spool.append({ token, env, body: bytes, warnings: messages });
      // After the check, so a value is compared with the ones before it; and only once stored, as a restart re-reads it.
      this.tables.learn(token, checked.value);
      const metrics = this.deps.metrics;
      if (metrics) {
        metrics.received(token, env);
        for (const w of warnings) metrics.warning(w.id);
      }
      const body: Record<string, unknown> = {
        status: 'success',
        event_id: r.id,
        message: 'Webhook received and stored',
        received_at: new Date(r.receivedAt).toISOString(),
      };
      // A clean payload gets exactly the cloud's answer. Warnings go in a
      // header, and after the cloud's four keys only where warnings.in_body
      // says (warning-header.ts): a production POS binding the four strictly
      // must not meet a fifth.
      if (messages.length === 0) return { status: 200, body };
      if (warningsInBody(s.warningsInBody ?? 'dev', env)) body.warnings = messages;
      return { status: 200, body, headers: { [WARNING_HEADER]: warningHeaderValue(messages) } };
    } catch (e) {
      // No line here: a POS retrying into a full spool would write one per
      // refusal; the tally logs the first and then counts (tally.ts).
      const full = e instanceof SpoolFullError;
      return ingestRefusal(
        full ? 'spool_full' : 'spool_failing',
        full
          ? 'Service Unavailable: the relay spool is full (spool.max_size_mb); retry later'
          : 'Service Unavailable: the relay could not store the event; retry later',
        {
          headers: { 'Retry-After': String(full ? FULL_RETRY_AFTER_S : ERROR_RETRY_AFTER_S) },
          note: `${env}: ${(e as Error).message}`,
        },
      );
    }
  }
}

function isEnv(v: string): v is Env {
  return (ENVS as readonly string[]).includes(v);
}
