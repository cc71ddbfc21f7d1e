import { type Answer, refusal } from '../http/index.ts';
import { type Clock, wallAt } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import {
  admit,
  afterFailure,
  forgotten,
  LOGIN_POLICY,
  type LoginPolicy,
  type LoginRecord,
  retryAfterSeconds,
} from './login-policy.ts';

/**
 * The admin password's guard against guessing (the decisions are
 * login-policy.ts): one record per client address, the counts /metrics and
 * the status page show, the log lines (at most one a minute per address,
 * besides each block), and the blocks the alerts read.
 */

/** Addresses remembered at most: the oldest go first, so a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 4096;
/** Wrong passwords from one address are logged at most this often (a block is always logged). */
const LOG_EVERY_MS = 60_000;

export interface LoginCounters {
  /** Wrong passwords checked. */
  failures: number;
  /** Tries refused with 429 unchecked (the address had to wait, or was blocked). */
  refused: number;
  /** Blocks started. */
  blocks: number;
}

/** A block in force; times monotonic. */
export interface LoginBlock {
  client: string;
  since: number;
  until: number;
  failures: number;
}

interface Entry extends LoginRecord {
  /** When a failure of this address was last logged (monotonic), and how many since. */
  loggedAt: number;
  unlogged: number;
  blockSince: number;
}

/** The address as one key: IPv4 mapped into IPv6 is the IPv4 address. */
export const clientKey = (ip: string | null): string => {
  if (!ip) return 'unknown';
  const v = ip.toLowerCase();
  return v.startsWith('::ffff:') && v.includes('.') ? v.slice(7) : v;
};

export class Logins {
  private readonly records = new Map<string, Entry>();
  private readonly counts: LoginCounters = { failures: 0, refused: 0, blocks: 0 };
  private lastFailure: { client: string; mono: number } | null = null;
  private readonly policy: LoginPolicy;

  constructor(private readonly deps: { clock: Clock; log: Logger; policy?: LoginPolicy }) {
    this.policy = deps.policy ?? LOGIN_POLICY;
  }

  /** The 429 for an address that must wait (its password is not looked at), or undefined when its try is checked. */
  hold(ip: string | null): Answer | undefined {
    const client = clientKey(ip);
    const r = this.records.get(client);
    const a = admit(r, this.deps.clock.mono(), this.policy);
    if (a.ok) return undefined;
    this.counts.refused++;
    const secs = retryAfterSeconds(a.retryAfterMs);
    const why = a.blocked
      ? `blocked for ${r!.failures} wrong admin passwords from ${client}`
      : `too many wrong admin passwords from ${client}`;
    return refusal(429, `Too Many Requests: ${why}; the next try is checked in ${secs} s`, {
      headers: { 'Retry-After': String(secs) },
    });
  }

  failed(ip: string | null): void {
    const client = clientKey(ip);
    const now = this.deps.clock.mono();
    const old = this.records.get(client);
    const { record, blockStarted } = afterFailure(old, now, this.policy);
    const fresh = old === undefined || forgotten(old, now, this.policy);
    const entry: Entry = {
      ...record,
      loggedAt: fresh ? -Infinity : old.loggedAt,
      unlogged: (fresh ? 0 : old.unlogged) + 1,
      blockSince: blockStarted ? now : fresh ? 0 : old.blockSince,
    };
    this.remember(client, entry);
    this.counts.failures++;
    this.lastFailure = { client, mono: now };
    const { log } = this.deps;
    if (blockStarted) {
      this.counts.blocks++;
      entry.loggedAt = now;
      entry.unlogged = 0;
      log.warn(
        { client, failures: record.failures, blocked_seconds: retryAfterSeconds(this.policy.blockMs) },
        `admin logins from ${client} blocked for ${Math.round(this.policy.blockMs / 60_000)} min after ${record.failures} wrong passwords`,
      );
    } else if (now - entry.loggedAt >= LOG_EVERY_MS) {
      log.warn(
        { client, failures: record.failures, since_last_line: entry.unlogged },
        `wrong admin password from ${client}`,
      );
      entry.loggedAt = now;
      entry.unlogged = 0;
    }
  }

  /** The right password: the address starts afresh. */
  succeeded(ip: string | null): void {
    if (this.records.size > 0) this.records.delete(clientKey(ip));
  }

  counters(): LoginCounters {
    return { ...this.counts };
  }

  /** Blocks in force now, longest first. */
  blocked(): LoginBlock[] {
    const now = this.deps.clock.mono();
    const out: LoginBlock[] = [];
    for (const [client, r] of this.records) {
      if (now < r.blockedUntil) out.push({ client, since: r.blockSince, until: r.blockedUntil, failures: r.failures });
    }
    return out.sort((a, b) => a.since - b.since);
  }

  /** For the status page: the counts, the blocks in force and the last wrong password, in wall time. */
  view(): LoginsView {
    const { clock } = this.deps;
    return {
      ...this.counters(),
      blocked: this.blocked().map((b) => ({
        client: b.client,
        failures: b.failures,
        until: new Date(wallAt(clock, b.until)).toISOString(),
      })),
      last_failure: this.lastFailure && {
        client: this.lastFailure.client,
        at: new Date(wallAt(clock, this.lastFailure.mono)).toISOString(),
      },
    };
  }

  private remember(client: string, entry: Entry): void {
    // Re-inserted, so the Map's order is oldest failure first.
    this.records.delete(client);
    if (this.records.size >= MAX_CLIENTS) {
      const now = this.deps.clock.mono();
      for (const [k, r] of this.records) if (forgotten(r, now, this.policy)) this.records.delete(k);
      if (this.records.size >= MAX_CLIENTS) this.records.delete(this.records.keys().next().value!);
    }
    this.records.set(client, entry);
  }
}

export interface LoginsView extends LoginCounters {
  blocked: { client: string; failures: number; until: string }[];
  last_failure: { client: string; at: string } | null;
}
