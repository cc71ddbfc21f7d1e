import type { ReportedHealth } from './index.ts';

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'object';
type Shape<T> = { [K in keyof T]-?: readonly Kind[] };

/**
 * The fields of `value` whose JSON type is one `shape` allows; others are
 * dropped, as if that relay had not sent them. Not an object: undefined.
 */
function pick<T>(value: unknown, shape: Shape<T>): Partial<T> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Partial<T> = {};
  for (const k of Object.keys(shape) as (keyof T & string)[]) {
    const v = (value as Record<string, unknown>)[k];
    if ((shape[k] as readonly string[]).includes(v === null ? 'null' : typeof v)) out[k] = v as T[typeof k];
  }
  return out;
}

type Part<K extends keyof ReportedHealth> = NonNullable<ReportedHealth[K]>;

const SPOOL: Shape<Part<'spool'>> = {
  ok: ['boolean'],
  pending: ['number'],
  dead: ['number'],
  bytes: ['number'],
  max_bytes: ['number'],
  error: ['string', 'null'],
  quarantined: ['object'],
  salvaging: ['boolean'],
};
const QUARANTINED: Shape<NonNullable<Part<'spool'>['quarantined']>[number]> = {
  file: ['string'],
  at: ['string'],
  reason: ['string'],
};
const CLOUD: Shape<Part<'cloud'>> = {
  reachable: ['boolean', 'null'],
  since: ['string', 'null'],
  last_delivery_at: ['string', 'null'],
  last_error: ['string', 'null'],
};
const PAUSED: Shape<Part<'paused_tokens'>[number]> = { token: ['string'], until: ['string'], reason: ['string'] };
const REASON: Shape<Part<'reasons'>[number]> = { id: ['string'], detail: ['string'] };
const LOG: Shape<Part<'log'>> = { ok: ['boolean'], error: ['string', 'null'], failures: ['number'] };
const CLOCK: Shape<Part<'clock'>> = {
  stepped_at: ['string', 'null'],
  step_ms: ['number', 'null'],
  steps: ['number'],
};

/**
 * Parsed GET /health JSON as the CLI may rely on it, from a relay of any
 * version. Without a string `status` it is not the relay's /health:
 * undefined. A part or field of the wrong type is left out, so a reader that
 * tolerates a missing part never meets a malformed one.
 */
export function readHealth(json: unknown): ReportedHealth | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const h = json as Record<string, unknown>;
  if (typeof h.status !== 'string') return undefined;
  const out: ReportedHealth = { status: h.status };
  if (typeof h.version === 'string') out.version = h.version;
  const spool = pick(h.spool, SPOOL);
  if (spool) {
    const q: unknown = spool.quarantined;
    if (Array.isArray(q))
      spool.quarantined = q.flatMap((e) => (typeof pick(e, QUARANTINED)?.file === 'string' ? [e] : []));
    else delete spool.quarantined;
    out.spool = spool;
  }
  const cloud = pick(h.cloud, CLOUD);
  if (cloud) out.cloud = cloud;
  if (Array.isArray(h.paused_tokens)) {
    out.paused_tokens = h.paused_tokens.flatMap((p) => pick(p, PAUSED) ?? []);
  }
  // A reason is its id and its sentence: one missing either says nothing a reader could use.
  if (Array.isArray(h.reasons)) {
    out.reasons = h.reasons.flatMap((r) => {
      const v = pick(r, REASON);
      return v?.id !== undefined && v.detail !== undefined ? [{ id: v.id, detail: v.detail }] : [];
    });
  }
  const log = pick(h.log, LOG);
  if (log) out.log = log;
  const clock = pick(h.clock, CLOCK);
  if (clock) out.clock = clock;
  return out;
}
