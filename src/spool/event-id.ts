/**
 * Event ids: UUIDv7 (RFC 9562 §5.7) whose last 40 bits are the event's `seq`.
 *
 * The id is the Idempotency-Key the cloud sees, so it must be unique beyond
 * this spool: 48 bits of Unix milliseconds, 34 bits drawn at random once per
 * process, then the seq, which no two events of a spool share. RFC 9562 §6.2
 * allows counter bits in the random fields ("Method 1: fixed bit-length
 * dedicated counter"); ids still sort by time, then ack order.
 *
 * Carrying the seq makes an id lookup a primary-key lookup, so the spool keeps
 * no index on `id`: one B-tree insert less per event.
 */

const SEQ_HEX = 10; // 40 bits: a trillion events per spool
const MAX_SEQ = 2 ** 40;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/** The per-process random part: 12 bits of rand_a, 2 + 20 bits of rand_b. */
function processRandom(): { randA: string; variant: string; rand20: string } {
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  const a = r[0]! >>> 20; // 12 bits
  const v = 0x8 | ((r[0]! >>> 18) & 0x3); // RFC 9562 variant 10xx
  return { randA: hex(a, 3), variant: v.toString(16), rand20: hex(r[1]! >>> 12, 5) };
}

const RANDOM = processRandom();

/** The id's first 20 characters, kept for the last millisecond: events arrive many per ms. */
let cached = { ms: -1, random: RANDOM, head: '' };

/** The id of the event stored as `seq`, received at `ms`. */
export function eventId(ms: number, seq: number, random = RANDOM): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq >= MAX_SEQ) throw new Error(`event seq out of range: ${seq}`);
  if (cached.ms !== ms || cached.random !== random) {
    const t = hex(Math.max(0, Math.floor(ms)) % 2 ** 48, 12);
    const head = `${t.slice(0, 8)}-${t.slice(8)}-7${random.randA}-${random.variant}${random.rand20.slice(0, 3)}-${random.rand20.slice(3)}`;
    cached = { ms, random, head };
  }
  return cached.head + hex(seq, SEQ_HEX);
}

/**
 * The seq an id carries, or null when the string is not a relay event id.
 * An id from an older spool (a random UUIDv7) also parses: callers check that
 * the row at that seq has this id.
 */
export function seqOfId(id: string): number | null {
  const s = id.toLowerCase();
  if (!ID.test(s)) return null;
  const seq = Number.parseInt(s.slice(-SEQ_HEX), 16);
  return seq >= 1 ? seq : null;
}
