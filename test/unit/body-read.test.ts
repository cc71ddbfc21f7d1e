/**
 * The request body's size limit (src/http/body.ts readLimited) on Request
 * objects whose streams the test watches, no server: a declared
 * Content-Length over the limit is refused (413) before a byte is read, a
 * streamed one as soon as it passes the limit, a malformed one with 400.
 */
import { describe, expect, it } from 'bun:test';
import { readLimited } from '../../src/http/body.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('readLimited', () => {
  const URL = 'http://relay.test/webhooks/v1/pos/tok';

  /** A request whose body is a stream we watch; nothing is pulled before the reader asks. */
  function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}) {
    const seen = { pulls: 0, cancelled: false };
    let i = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          seen.pulls++;
          const next = chunks[i++];
          if (next) c.enqueue(next);
          else c.close();
        },
        cancel() {
          seen.cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    return { request: new Request(URL, { method: 'POST', body, headers }), seen };
  }

  const filled = (n: number, byte = 0x61) => new Uint8Array(n).fill(byte);

  it('refuses a declared Content-Length over the limit with 413 without reading a byte', async () => {
    const { request, seen } = streamed([filled(1_001)], { 'content-length': '1001' });
    const r = await readLimited(request, 1_000);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe(413);
      expect(r.detail).toContain('1000');
    }
    expect(seen.pulls).toBe(0);
    expect(request.bodyUsed).toBe(false);
  });

  const declared: [contentLength: string, max: number, status: 413 | 'ok'][] = [
    ['1000', 1_000, 'ok'],
    ['1001', 1_000, 413],
    ['10485760', 10 * 1024 * 1024, 'ok'],
    ['10485761', 10 * 1024 * 1024, 413],
    ['99999999999999', 10 * 1024 * 1024, 413],
    ['0', 0, 'ok'],
    ['1', 0, 413],
  ];
  it.each(declared)('judges a declared Content-Length of %p against a limit of %p: %p', async (len, max, status) => {
    const n = Number(len);
    const small = n <= max ? [filled(n)] : [filled(1)];
    const { request, seen } = streamed(small, { 'content-length': len });
    const r = await readLimited(request, max);
    if (status === 'ok') {
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.bytes.byteLength).toBe(n);
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.status).toBe(413);
      expect(seen.pulls).toBe(0);
    }
  });

  it('accepts a body of exactly max bytes, byte for byte', async () => {
    const tail = '"João":[1]'; // 'ã' is 2 bytes in UTF-8
    const text = 'x'.repeat(1_000 - utf8(tail).byteLength) + tail;
    const expected = utf8(text);
    expect(expected.byteLength).toBe(1_000);
    const r = await readLimited(new Request(URL, { method: 'POST', body: text }), 1_000);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(r.bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('accepts a streamed body of exactly max bytes in many chunks, joined in order', async () => {
    const chunks = Array.from({ length: 10 }, (_, k) => filled(100, 0x30 + k));
    const { request } = streamed(chunks);
    const r = await readLimited(request, 1_000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.bytes.byteLength).toBe(1_000);
      expect([r.bytes[0], r.bytes[99], r.bytes[100], r.bytes[999]]).toEqual([0x30, 0x30, 0x31, 0x39]);
    }
  });

  const overflow: [label: string, chunks: Uint8Array[]][] = [
    ['in one chunk', [filled(1_001)]],
    ['in many chunks', [...Array.from({ length: 10 }, () => filled(100)), filled(1)]],
    ['where the last chunk tips it over', [filled(999), filled(2)]],
  ];
  it.each(overflow)('refuses a streamed body of max+1 bytes %s with 413 and stops reading', async (_label, chunks) => {
    const { request, seen } = streamed([...chunks, filled(1_000_000)]);
    const r = await readLimited(request, 1_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(413);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulls).toBeLessThanOrEqual(chunks.length);
  });

  it('refuses a body longer than its declared Content-Length once it passes the limit', async () => {
    const { request, seen } = streamed([filled(500), filled(500), filled(500)], { 'content-length': '10' });
    const r = await readLimited(request, 1_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(413);
    expect(seen.cancelled).toBe(true);
  });

  it('counts bytes, not characters', async () => {
    const r = await readLimited(new Request(URL, { method: 'POST', body: 'João' }), 4); // 5 bytes
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(413);
  });

  it('reads a request without a body as zero bytes', async () => {
    const r = await readLimited(new Request(URL, { method: 'POST' }), 1_000);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.bytes.byteLength).toBe(0);
  });

  it('reads an empty streamed body as zero bytes', async () => {
    const { request } = streamed([]);
    const r = await readLimited(request, 1_000);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.bytes.byteLength).toBe(0);
  });

  // Content-Length = 1*DIGIT (RFC 9110 §8.6).
  const invalidLength: [value: string][] = [
    ['abc'],
    ['12abc'],
    ['-1'],
    ['1.5'],
    ['5, 5'],
    ['NaN'],
    ['Infinity'],
    ['1e3'],
    ['0x10'],
    ['+5'],
  ];
  for (const [value] of invalidLength) {
    it(`refuses a malformed Content-Length ${JSON.stringify(value)} with 400`, async () => {
      const { request, seen } = streamed([filled(5)], { 'content-length': value });
      const r = await readLimited(request, 1_000_000);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.status).toBe(400);
        expect(r.detail).toContain('Content-Length');
      }
      expect(seen.pulls).toBe(0);
    });
  }
});
