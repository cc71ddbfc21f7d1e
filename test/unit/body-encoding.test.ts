/**
 * How a body arrives, as pure decisions (src/http/body.ts): a UTF-8 byte
 * order mark before the JSON (splitBom) and a UTF-16 body's sentence. Through a
 * real relay, test/integration/clients.test.ts; with curl and Python against
 * the binary, test/binary/clients.test.ts.
 */

import { describe, expect, it } from 'bun:test';
import { checkJson, splitBom } from '../../src/http/body.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

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
