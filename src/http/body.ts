/**
 * Reading and checking a webhook body. The cloud accepts "any valid JSON
 * payload" in UTF-8 up to 10 MB (basic guide, "Payload Guidelines") and
 * stores it exactly as received; so does the relay.
 */

export type ReadResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; status: 413; reason: 'too_large'; detail: string }
  | { ok: false; status: 400; reason: 'bad_request'; detail: string };

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

export async function readLimited(request: Request, max: number, opts: { framed?: boolean } = {}): Promise<ReadResult> {
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
      let bytes: Uint8Array;
      try {
        bytes = await request.bytes();
      } catch {
        // The client hung up before Content-Length bytes arrived: nobody reads
        // this answer, but it must not be logged as a server error.
        return INCOMPLETE_BODY;
      }
      // Bun answers 400 itself to Content-Length with Transfer-Encoding; this only guards that.
      return bytes.byteLength > max ? tooLarge(max) : { ok: true, bytes };
    }
  }
  const stream = request.body;
  if (!stream) return { ok: true, bytes: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch {
      return INCOMPLETE_BODY;
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
