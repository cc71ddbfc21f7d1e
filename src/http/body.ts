/**
 * Reading and checking a webhook body. The cloud accepts "any valid JSON
 * payload" in UTF-8 up to 10 MB (basic guide, "Payload Guidelines") and
 * stores it exactly as received; so does the relay.
 */

export type ReadResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; status: 413; reason: 'too_large'; detail: string }
  | { ok: false; status: 400; reason: 'bad_request'; detail: string }
  | { ok: false; status: 408; reason: 'body_timeout'; detail: string };

/** A body's deadline (deadline.ts) and the 408's sentence when it passes. */
export interface BodyDeadline {
  ms: number;
  /** Built only when the deadline passes. */
  detail: () => string;
}

const LATE = Symbol('late');
const NOT_YET = Symbol('not yet');

/**
 * `p`, or LATE once `deadline.ms` passed first. A body already read (the
 * usual few-KB webhook, in the packet with its headers) sets no timer.
 */
async function beforeDeadline<T>(p: Promise<T>, deadline: BodyDeadline | undefined): Promise<T | typeof LATE> {
  if (deadline === undefined) return p;
  const first = await Promise.race([p, Promise.resolve(NOT_YET)]);
  if (first !== NOT_YET) return first as T;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), deadline.ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The 408 once the deadline passed; the connection closes, as the rest of the body would read as a next request. */
const lateBody = (deadline: BodyDeadline): ReadResult => ({
  ok: false,
  status: 408,
  reason: 'body_timeout',
  detail: deadline.detail(),
});

export const MAX_DEPTH = 512;

const tooLarge = (max: number): ReadResult => ({
  ok: false,
  status: 413,
  reason: 'too_large',
  detail: `Payload too large: the limit is ${max} bytes (max 10MB)`,
});

/**
 * Declared Content-Length is judged before a byte is read; without one
 * (chunked) the limit is enforced while streaming, so an oversized body is
 * never held whole in memory.
 *
 * `framed`: the request came off the wire, where the HTTP parser delivers
 * exactly Content-Length bytes (RFC 9112 §6.3), so a declared length within
 * the limit bounds the body and it is read whole by Bun, natively: a JS
 * stream reader costs more than the rest of the ack (test/bench). A Request built in-process may carry any stream under any
 * header, so without `framed` the bytes are counted as they come.
 */
const INCOMPLETE_BODY: ReadResult = {
  ok: false,
  status: 400,
  reason: 'bad_request',
  detail: 'Request body incomplete: the connection closed early or its chunked framing was invalid',
};

export async function readLimited(
  request: Request,
  max: number,
  opts: { framed?: boolean; deadline?: BodyDeadline } = {},
): Promise<ReadResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    // Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, exponent or hex.
    const n = /^\d+$/.test(declared) ? Number(declared) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      return {
        ok: false,
        status: 400,
        reason: 'bad_request',
        detail: `Invalid Content-Length header: ${JSON.stringify(declared.slice(0, 40))}`,
      };
    }
    if (n > max) return tooLarge(max);
    if (opts.framed) {
      let bytes: Uint8Array | typeof LATE;
      try {
        bytes = await beforeDeadline(request.bytes(), opts.deadline);
      } catch {
        // The client hung up before Content-Length bytes arrived: nobody reads
        // this answer, but it must not be logged as a server error.
        return INCOMPLETE_BODY;
      }
      if (bytes === LATE) return lateBody(opts.deadline!);
      // Bun answers 400 itself to Content-Length with Transfer-Encoding; this only guards that.
      return bytes.byteLength > max ? tooLarge(max) : { ok: true, bytes };
    }
  }
  const stream = request.body;
  if (!stream) return { ok: true, bytes: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const until = opts.deadline && { ...opts.deadline, at: performance.now() + opts.deadline.ms };
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>> | typeof LATE;
    try {
      next = await beforeDeadline(reader.read(), until && { ...until, ms: Math.max(0, until.at - performance.now()) });
    } catch {
      return INCOMPLETE_BODY;
    }
    if (next === LATE) {
      await reader.cancel().catch(() => {});
      return lateBody(until!);
    }
    const { done, value } = next;
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return tooLarge(max);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.byteLength;
  }
  return { ok: true, bytes };
}

/**
 * Content-Encoding. The cloud is FastAPI (its errors are `{"detail"}`), and
 * neither Starlette nor the usual proxy in front of it (nginx, a cloud load
 * balancer) decodes a request body: a gzip body reaches its JSON parser as
 * gzip bytes and is refused. The relay cannot forward what the cloud would
 * refuse and still answer 200, and decoding it here would let a POS pass
 * every test against the relay and then fail against the cloud; so a
 * compressed body is refused at once (415), with the fix in the sentence.
 * Nothing is decompressed, so no body can be a zip bomb. A body labelled
 * gzip or deflate that is not (plain JSON under a wrong header) is a broken
 * client, told so with a 400 rather than guessed at.
 */
export type EncodingVerdict =
  | { kind: 'plain' }
  /** Labelled gzip or deflate: the body tells whether it is (415) or is mislabelled (400). */
  | { kind: 'look'; coding: 'gzip' | 'deflate'; label: string }
  | { kind: 'refuse'; detail: string };

/** The header value as sent, short and quoted, for a detail. */
const shown = (v: string): string => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

const SEND_PLAIN = 'send the JSON uncompressed, with no Content-Encoding header';

/** Pure: what the Content-Encoding header (null when absent) asks of the body. */
export function judgeEncoding(header: string | null): EncodingVerdict {
  if (header === null) return { kind: 'plain' };
  // "identity" (RFC 9110 §8.4.1) and empty members of the list mean no coding.
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return { kind: 'plain' };
  const only = codings.length === 1 ? codings[0]! : null;
  if (only === 'gzip' || only === 'x-gzip') return { kind: 'look', coding: 'gzip', label: header.trim() };
  if (only === 'deflate') return { kind: 'look', coding: 'deflate', label: header.trim() };
  return {
    kind: 'refuse',
    detail: `Unsupported Content-Encoding ${shown(header.trim())}: ${SEND_PLAIN}`,
  };
}

/**
 * Whether `bytes` start as `coding` does: gzip's magic 1F 8B and method 8
 * (RFC 1952 §2.3.1); deflate is the zlib format (RFC 9110 §8.4.1.2), whose
 * first two bytes name method 8 and are a multiple of 31 (RFC 1950 §2.2).
 */
export function startsAs(coding: 'gzip' | 'deflate', bytes: Uint8Array): boolean {
  if (bytes.byteLength < 2) return false;
  const [a, b] = [bytes[0]!, bytes[1]!];
  if (coding === 'gzip') return a === 0x1f && b === 0x8b && (bytes.byteLength < 3 || bytes[2] === 8);
  return (a & 0x0f) === 8 && a >> 4 <= 7 && ((a << 8) | b) % 31 === 0;
}

/** The refusal for a body labelled `coding`: 415 when it is compressed, 400 when the label is wrong. */
export function encodedBodyDetail(
  coding: 'gzip' | 'deflate',
  label: string,
  bytes: Uint8Array,
): { compressed: boolean; detail: string } {
  if (startsAs(coding, bytes)) {
    return {
      compressed: true,
      detail: `Compressed request bodies are not accepted (Content-Encoding ${shown(label)}): ${SEND_PLAIN}`,
    };
  }
  return {
    compressed: false,
    detail: `Request body is labelled Content-Encoding ${shown(label)} but is not ${coding === 'gzip' ? 'gzip' : 'deflate (zlib)'} data: ${SEND_PLAIN}`,
  };
}

/**
 * A UTF-8 byte order mark before the JSON. RFC 8259 §8.1: senders must not
 * add one, parsers may ignore it; .NET's `new StreamWriter(stream,
 * Encoding.UTF8)` writes one anyway. The relay stores and forwards the JSON
 * text after it (a copy, so no view of the received buffer carries the mark
 * on), so a cloud whose parser refuses the mark never sees it.
 */
export function splitBom(bytes: Uint8Array): { bytes: Uint8Array; bom: boolean } {
  const bom = bytes.byteLength >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bom ? { bytes: bytes.slice(3), bom: true } : { bytes, bom: false };
}

export type CheckResult = { ok: true; value: unknown } | { ok: false; detail: string };

// ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it:
// splitBom removed the one a sender may add, so any left would be stored as sent.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One valid UTF-8 JSON value, of any structure, nested at most MAX_DEPTH deep. */
export function checkJson(bytes: Uint8Array): CheckResult {
  if (bytes.byteLength === 0) return { ok: false, detail: 'Request body is empty: send one JSON value' };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    // .NET's Encoding.Unicode and Windows tools write UTF-16 with its byte order mark.
    const utf16 =
      bytes.byteLength >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    return {
      ok: false,
      detail: utf16
        ? 'Request body is not valid UTF-8: it is UTF-16 (it starts with a UTF-16 byte order mark); send it as UTF-8'
        : 'Request body is not valid UTF-8',
    };
  }
  if (!openersAtMost(bytes, MAX_DEPTH) && maxDepth(bytes) > MAX_DEPTH) {
    return { ok: false, detail: `Invalid JSON: nested deeper than ${MAX_DEPTH} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, detail: `Invalid JSON: ${(e as Error).message}` };
  }
}

/**
 * Depth can never exceed the number of `[` and `{` bytes, which native
 * indexOf counts about ten times faster than maxDepth walks the body; only
 * bodies with more openers than the limit need the walk.
 */
function openersAtMost(bytes: Uint8Array, limit: number): boolean {
  let n = 0;
  for (let i = bytes.indexOf(0x7b); i !== -1; i = bytes.indexOf(0x7b, i + 1)) if (++n > limit) return false;
  for (let i = bytes.indexOf(0x5b); i !== -1; i = bytes.indexOf(0x5b, i + 1)) if (++n > limit) return false;
  return true;
}

/**
 * Nesting depth of [ and { outside strings, found with a byte scan so that a
 * hostile body is refused before any recursive parser sees it.
 */
export function maxDepth(bytes: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) max = depth;
      if (max > MAX_DEPTH) return max;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return max;
}

/**
 * A byte budget for large bodies between read and durable: a 10 MB JSON body
 * costs ~40 MB of memory while it is checked and stored (its text, its parse
 * tree, libSQL's copy). Over the budget, a body waits for its turn, first
 * come first served; a body larger than the whole budget goes alone. Waiting
 * bodies are already read, so a slow uploader never holds others up.
 */
export class BodyBudget {
  private used = 0;
  private readonly queue: { n: number; go: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Undefined when `n` bytes fit now; otherwise a promise that resolves when they do. */
  acquire(n: number): Promise<void> | undefined {
    if (this.queue.length === 0 && this.fits(n)) {
      this.used += n;
      return undefined;
    }
    return new Promise((go) => this.queue.push({ n, go }));
  }

  release(n: number): void {
    this.used -= n;
    while (this.queue.length > 0 && this.fits(this.queue[0]!.n)) {
      const next = this.queue.shift()!;
      this.used += next.n;
      next.go();
    }
  }

  private fits(n: number): boolean {
    return this.used === 0 || this.used + n <= this.limit;
  }
}
