/**
 * How a body arrives, as pure decisions (src/http/body.ts): the
 * Content-Encoding header (judgeEncoding), whether a body labelled gzip or
 * deflate is compressed (startsAs, encodedBodyDetail), a UTF-8 byte order
 * mark before the JSON (splitBom) and a UTF-16 body's sentence. Through a
 * real relay, test/integration/clients.test.ts; with curl and Python against
 * the binary, test/binary/clients.test.ts.
 */

import { describe, expect, it } from 'bun:test';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { checkJson, encodedBodyDetail, judgeEncoding, splitBom, startsAs } from '../../src/http/body.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const JSON_BODY = '{"event":"order_created","table_number":"Mesa 8"}';

describe('judgeEncoding', () => {
  // Every row has its three cells: a test function with more parameters than a row is given a done callback.
  const table: [header: string | null, verdict: ReturnType<typeof judgeEncoding>['kind'], coding: string][] = [
    [null, 'plain', ''],
    ['', 'plain', ''],
    ['identity', 'plain', ''],
    ['Identity', 'plain', ''],
    [' identity , ', 'plain', ''],
    ['gzip', 'look', 'gzip'],
    ['GZIP', 'look', 'gzip'],
    ['x-gzip', 'look', 'gzip'],
    ['identity, gzip', 'look', 'gzip'],
    ['deflate', 'look', 'deflate'],
    ['br', 'refuse', ''],
    ['zstd', 'refuse', ''],
    ['x-foo', 'refuse', ''],
    ['compress', 'refuse', ''],
    ['gzip, gzip', 'refuse', ''],
    ['deflate, gzip', 'refuse', ''],
  ];
  it.each(table)('Content-Encoding %p: %p %s', (header, kind, coding) => {
    const v = judgeEncoding(header);
    expect(v.kind).toBe(kind);
    if (v.kind === 'look') expect(v.coding).toBe(coding as 'gzip' | 'deflate');
  });

  it('refuses an unknown coding naming it and saying to send the JSON uncompressed', () => {
    expect(judgeEncoding('br')).toEqual({
      kind: 'refuse',
      detail: 'Unsupported Content-Encoding "br": send the JSON uncompressed, with no Content-Encoding header',
    });
    const long = judgeEncoding(`x-${'a'.repeat(100)}`);
    expect(long.kind === 'refuse' && long.detail.length).toBeLessThan(160);
  });
});

describe('a body labelled gzip or deflate', () => {
  const table: [what: string, coding: 'gzip' | 'deflate', body: Uint8Array, compressed: boolean][] = [
    ['gzip data', 'gzip', gzipSync(JSON_BODY), true],
    ['zlib (deflate) data', 'deflate', deflateSync(JSON_BODY), true],
    ['zlib data at the best compression', 'deflate', deflateSync(JSON_BODY, { level: 9 }), true],
    ['plain JSON labelled gzip', 'gzip', utf8(JSON_BODY), false],
    ['plain JSON labelled deflate', 'deflate', utf8(JSON_BODY), false],
    ['a JSON array labelled deflate', 'deflate', utf8('[1,2]'), false],
    ['zlib data labelled gzip', 'gzip', deflateSync(JSON_BODY), false],
    ['gzip data labelled deflate', 'deflate', gzipSync(JSON_BODY), false],
    // RFC 9110 §8.4.1.2: "deflate" is the zlib format; a raw deflate stream is mislabelled.
    ['raw deflate labelled deflate', 'deflate', deflateRawSync(JSON_BODY), false],
    ['an empty body labelled gzip', 'gzip', new Uint8Array(0), false],
    ['one byte labelled gzip', 'gzip', Uint8Array.of(0x1f), false],
  ];
  it.each(table)('%s: compressed %p, %p', (_what, coding, body, compressed) => {
    expect(startsAs(coding, body)).toBe(compressed);
    const judged = encodedBodyDetail(coding, coding, body);
    expect(judged.compressed).toBe(compressed);
    expect(judged.detail).toEndWith('send the JSON uncompressed, with no Content-Encoding header');
  });

  it('says which: compressed bodies are not accepted, or the label is wrong', () => {
    expect(encodedBodyDetail('gzip', 'gzip', gzipSync(JSON_BODY)).detail).toBe(
      'Compressed request bodies are not accepted (Content-Encoding "gzip"): send the JSON uncompressed, with no Content-Encoding header',
    );
    expect(encodedBodyDetail('gzip', 'x-gzip', utf8(JSON_BODY)).detail).toBe(
      'Request body is labelled Content-Encoding "x-gzip" but is not gzip data: send the JSON uncompressed, with no Content-Encoding header',
    );
  });
});

describe('splitBom', () => {
  const BOM = [0xef, 0xbb, 0xbf];
  const table: [what: string, body: number[], rest: number[], bom: boolean][] = [
    ['a BOM before JSON', [...BOM, ...utf8('{}')], [...utf8('{}')], true],
    ['a BOM alone', BOM, [], true],
    ['two BOMs: only the first is the mark', [...BOM, ...BOM, 0x31], [...BOM, 0x31], true],
    ['no BOM', [...utf8('{}')], [...utf8('{}')], false],
    ['a BOM after whitespace is not one', [0x20, ...BOM], [0x20, ...BOM], false],
    ['the first two bytes of a BOM', [0xef, 0xbb], [0xef, 0xbb], false],
    ['a UTF-16 LE BOM', [0xff, 0xfe, 0x7b, 0x00], [0xff, 0xfe, 0x7b, 0x00], false],
    ['nothing', [], [], false],
  ];
  it.each(table)('%s', (_what, body, rest, bom) => {
    const split = splitBom(Uint8Array.from(body));
    expect(split.bom).toBe(bom);
    expect([...split.bytes]).toEqual(rest);
  });

  it('gives bytes that share nothing with the received buffer, so no view of it carries the mark on', () => {
    const received = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('{}')]);
    const { bytes } = splitBom(received);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(2);
  });

  it('leaves a second BOM to the JSON parser, which refuses it', () => {
    const { bytes } = splitBom(Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, ...utf8('{}')]));
    expect(checkJson(bytes).ok).toBe(false);
  });
});

describe('a UTF-16 body', () => {
  it.each([
    ['LE', [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]],
    ['BE', [0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]],
  ])('%s with its byte order mark is refused saying it is UTF-16', (_what, body) => {
    expect(checkJson(Uint8Array.from(body))).toEqual({
      ok: false,
      detail:
        'Request body is not valid UTF-8: it is UTF-16 (it starts with a UTF-16 byte order mark); send it as UTF-8',
    });
  });
});
