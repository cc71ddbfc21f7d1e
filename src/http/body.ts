/**
 * Reading and checking a webhook body. The cloud accepts "any valid JSON
 * payload" in UTF-8 up to 10 MB (basic guide, "Payload Guidelines") and
 * stores it exactly as received; so does the relay.
 */

export type ReadResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; status: 413 | 400; detail: string };

export const MAX_DEPTH = 512;

const tooLarge = (max: number): ReadResult => ({
  ok: false,
  status: 413,
  detail: `Payload too large: the limit is ${max} bytes (max 10MB)`,
});

/**
 * Declared Content-Length is judged before a byte is read; without one
 * (chunked) the limit is enforced while streaming, so an oversized body is
 * never held whole in memory.
 */
export async function readLimited(request: Request, max: number): Promise<ReadResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    // Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, exponent or hex.
    const n = /^\d+$/.test(declared) ? Number(declared) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      return { ok: false, status: 400, detail: `Invalid Content-Length header: ${JSON.stringify(declared.slice(0, 40))}` };
    }
    if (n > max) return tooLarge(max);
  }
  const stream = request.body;
  if (!stream) return { ok: true, bytes: new Uint8Array(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
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

export type CheckResult = { ok: true; value: unknown } | { ok: false; detail: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** One valid UTF-8 JSON value, of any structure, nested at most MAX_DEPTH deep. */
export function checkJson(bytes: Uint8Array): CheckResult {
  if (bytes.byteLength === 0) return { ok: false, detail: 'Request body is empty: send one JSON value' };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, detail: 'Request body is not valid UTF-8' };
  }
  const depth = maxDepth(bytes);
  if (depth > MAX_DEPTH) {
    return { ok: false, detail: `Invalid JSON: nested deeper than ${MAX_DEPTH} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, detail: `Invalid JSON: ${(e as Error).message}` };
  }
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
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) max = depth;
      if (max > MAX_DEPTH) return max;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return max;
}
