import { testDataReason } from './test-data.ts';
import { isObject } from './values.ts';

/**
 * What a token's table_number values usually look like. The troubleshooting
 * guide ("Use Consistent Identifiers") shows "Mesa 8", "Table 12" and "M-104"
 * from one POS as three tables the dashboard cannot match up; a relay sees
 * every value, so it learns the usual shape and names the odd one out.
 *
 * The learner lives in the ingest service (per process); the check only
 * reads a `UsualShape` from its context, so it stays pure.
 */

/** Values remembered per token: the window the shares are taken over, and what a restart reads back from the spool. */
export const TABLE_WINDOW = 200;
/** The usual shape must hold this share of the window before another is called out: a POS with two schemes is told nothing. */
export const USUAL_SHARE = 0.8;
/** Characters of a value that make its shape: table names are short, and a huge one must not cost a huge lower-casing. */
const SHAPE_CHARS = 40;
/** Stored bodies larger than this are not parsed when seeding. */
const SEED_MAX_BYTES = 256 * 1024;

/**
 * Shapes of recent values: a restaurant has a few dozen tables, each webhook
 * asks twice (the check, then the learner), and the lower-casing and two
 * replaces cost more than the rest of the checks together.
 */
const SHAPE_CACHE = 1024;
const shapes = new Map<string, string | null>();

/**
 * "Mesa 8" → "mesa #", "Table 12" → "table #", "M-104" → "m-#", "12" and 12
 * → "#". The word stays (lower-cased) because "Mesa" against "Table" is
 * exactly the inconsistency; digits collapse because table 8 and table 104
 * are the same scheme. null: not a string or number, so nothing to learn.
 */
export function tableShape(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? '#' : null;
  if (typeof v !== 'string') return null;
  const key = v.length <= SHAPE_CHARS ? v : v.slice(0, SHAPE_CHARS);
  const hit = shapes.get(key);
  if (hit !== undefined) return hit;
  const s = key.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\d+/g, '#');
  const shape = s === '' ? null : s;
  if (shapes.size >= SHAPE_CACHE) shapes.clear();
  shapes.set(key, shape);
  return shape;
}

export interface UsualShape {
  shape: string;
  /** The latest value of that shape, as sent ("Mesa 8"). */
  example: string;
  /** How many of the remembered values have it... */
  count: number;
  /** ...out of how many. */
  total: number;
}

interface Seen {
  n: number;
  example: string;
}

/** One token's last TABLE_WINDOW shapes: a ring, so memory is bounded and an intended change of scheme wins in time. */
class Window {
  private readonly ring: string[] = [];
  private next = 0;
  readonly counts = new Map<string, Seen>();
  private cached: UsualShape | null | undefined;

  constructor(private readonly size: number) {}

  get total(): number {
    return this.ring.length;
  }

  add(shape: string, example: string): void {
    if (this.ring.length === this.size) {
      const old = this.ring[this.next]!;
      const seen = this.counts.get(old)!;
      if (--seen.n === 0) this.counts.delete(old);
      this.ring[this.next] = shape;
    } else {
      this.ring.push(shape);
    }
    this.next = (this.next + 1) % this.size;
    const seen = this.counts.get(shape);
    if (seen === undefined) this.counts.set(shape, { n: 1, example });
    else {
      seen.n++;
      seen.example = example;
    }
    this.cached = undefined;
  }

  /** The most frequent shape; computed once per change (at most TABLE_WINDOW entries, usually one or two). */
  top(): UsualShape | null {
    if (this.cached !== undefined) return this.cached;
    let best: [string, Seen] | null = null;
    for (const e of this.counts) if (best === null || e[1].n > best[1].n) best = e;
    this.cached = best && { shape: best[0], example: best[1].example, count: best[1].n, total: this.total };
    return this.cached;
  }
}

export class TableShapes {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly size = TABLE_WINDOW) {}

  /**
   * Remembers the payload's table_number for `token`. Test payloads are left
   * out: "Test Table" from a connection test is not the POS's scheme.
   */
  learn(token: string, payload: unknown): void {
    if (!isObject(payload) || testDataReason(payload) !== null) return;
    const v = payload.table_number;
    const shape = tableShape(v);
    if (shape === null) return;
    let w = this.windows.get(token);
    if (w === undefined) this.windows.set(token, (w = new Window(this.size)));
    w.add(shape, String(v).slice(0, SHAPE_CHARS));
  }

  /** The token's usual shape once `minSamples` values were seen and one shape holds USUAL_SHARE of them; else null. */
  usual(token: string, minSamples: number): UsualShape | null {
    const w = this.windows.get(token);
    // More than the window can never be reached: count a larger setting as the window.
    if (w === undefined || w.total < Math.min(minSamples, this.size)) return null;
    const top = w.top();
    return top !== null && top.count >= USUAL_SHARE * top.total ? top : null;
  }

  /** Learns a restart's worth of stored bodies, newest first as `Spool.recentBodies` gives them; unparsable ones are skipped. */
  seed(token: string, bodies: readonly Uint8Array[]): void {
    if (!this.windows.has(token)) this.windows.set(token, new Window(this.size));
    const decoder = new TextDecoder();
    for (let i = bodies.length - 1; i >= 0; i--) {
      // A 10 MB batch upload is not where a table name is learned, and parsing
      // 200 of them would hold up the start.
      if (bodies[i]!.byteLength > SEED_MAX_BYTES) continue;
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(bodies[i]));
      } catch {
        continue;
      }
      this.learn(token, value);
    }
  }

  /** Seeded or learned already: a reload seeds only the tokens it adds. */
  knows(token: string): boolean {
    return this.windows.has(token);
  }

  /** Distinct shapes remembered for `token`: the memory bound, for tests and the curious. */
  distinct(token: string): number {
    return this.windows.get(token)?.counts.size ?? 0;
  }

  tokens(): string[] {
    return [...this.windows.keys()];
  }

  /** Drops a token no longer configured, so a reload that removes tokens frees their windows. */
  forget(token: string): void {
    this.windows.delete(token);
  }
}
