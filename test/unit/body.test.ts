/**
 * The request body (src/http/body.ts) as bytes, no server: UTF-8 and strict
 * JSON (checkJson), and the nesting depth found by a byte scan before any
 * parser (maxDepth). Its size limit is test/unit/body-read.test.ts; the same
 * through a real relay, test/integration/contract.test.ts, and over raw
 * sockets, test/binary/hostile.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { checkJson, MAX_DEPTH, maxDepth } from '../../src/http/body.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...utf8(p)] : p)));

const nestedArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nestedObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('checkJson', () => {
  it('refuses an empty body and says it is empty', () => {
    const r = checkJson(new Uint8Array(0));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toMatch(/empty/i);
  });

  const badUtf8: [label: string, body: Uint8Array][] = [
    ['bytes 0xff 0xfe', bytes([0xff, 0xfe])],
    ['a UTF-16 LE BOM before JSON', bytes([0xff, 0xfe], '{}')],
    ['an overlong "/" (0xc0 0xaf)', bytes('"', [0xc0, 0xaf], '"')],
    ['a lone continuation byte inside a string', bytes('{"a":"x', [0x80], 'y"}')],
    ['a truncated two-byte sequence', bytes('"', [0xc3], '"')],
    ['an encoded UTF-16 surrogate (0xed 0xa0 0x80)', bytes('"', [0xed, 0xa0, 0x80], '"')],
    ['a code point above U+10FFFF (0xf4 0x90 0x80 0x80)', bytes('"', [0xf4, 0x90, 0x80, 0x80], '"')],
    ['Latin-1 "João" (0xe3 alone)', bytes('{"name":"Jo', [0xe3], 'o"}')],
  ];
  it.each(badUtf8)('refuses %s as not UTF-8', (_label, body) => {
    const r = checkJson(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toMatch(/UTF-8/);
  });

  const badJson: [label: string, text: string][] = [
    ['trailing garbage', '{"a":1} x'],
    ['two documents', '{} {}'],
    ['two numbers', '1 2'],
    ['a block comment', '{"a":1 /* c */}'],
    ['a line comment', '{"a":1} // c'],
    ['NaN', 'NaN'],
    ['NaN inside an array', '[NaN]'],
    ['Infinity', 'Infinity'],
    ['single quotes', "{'a':1}"],
    ['unquoted keys', '{a:1}'],
    ['a trailing comma in an array', '[1,2,]'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a truncated object', '{"a":1'],
    ['an unterminated string', '"abc'],
    ['a leading zero', '01'],
    ['a hex number', '0x10'],
    ['undefined', 'undefined'],
    ['a bare word', 'tru'],
    ['only whitespace', '  \n\t '],
    ['a raw control character in a string', '"a\u0001b"'],
    ['an invalid escape', '"\\x41"'],
    ['unbalanced closers', ']]]'],
  ];
  it.each(badJson)('refuses %s as invalid JSON', (_label, text) => {
    const r = checkJson(utf8(text));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail.startsWith('Invalid JSON')).toBe(true);
  });

  const good: [label: string, text: string, value: unknown][] = [
    ['an object', '{"order_id":"A-1","total":12.5}', { order_id: 'A-1', total: 12.5 }],
    ['an empty object', '{}', {}],
    ['an array', '[1,"two",null,{"x":[]}]', [1, 'two', null, { x: [] }]],
    ['an empty array', '[]', []],
    ['a string', '"hello"', 'hello'],
    ['an integer', '42', 42],
    ['a negative exponent number', '-1.5e3', -1500],
    ['true', 'true', true],
    ['false', 'false', false],
    ['null', 'null', null],
    ['unicode text', '{"name":"João","dish":"Feijão com açúcar"}', { name: 'João', dish: 'Feijão com açúcar' }],
    ['an emoji and CJK', '["🍕","寿司"]', ['🍕', '寿司']],
    ['escaped unicode', '"Jo\\u00e3o \\ud83c\\udf55"', 'João 🍕'],
    ['surrounding whitespace', ' \r\n\t{"a":1}\n ', { a: 1 }],
    ['a string full of brackets', JSON.stringify('['.repeat(2_000)), '['.repeat(2_000)],
    ['duplicate keys (last wins, as JSON.parse does)', '{"a":1,"a":2}', { a: 2 }],
  ];
  it.each(good)('accepts %s with its parsed value', (_label, text, value) => {
    const r = checkJson(utf8(text));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(value);
  });

  it('refuses a UTF-8 BOM left in the bytes: the one a sender may add is removed before (splitBom), any other is not JSON', () => {
    const r = checkJson(utf8('\ufeff{"a":1}'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toStartWith('Invalid JSON');
  });

  it(`accepts ${MAX_DEPTH} nested arrays`, () => {
    const r = checkJson(utf8(nestedArrays(512)));
    expect(r.ok).toBe(true);
    if (r.ok) {
      let depth = 0;
      for (let v: unknown = r.value; Array.isArray(v); v = v[0]) depth++;
      expect(depth).toBe(512);
    }
  });

  it(`accepts ${MAX_DEPTH} nested objects`, () => {
    expect(checkJson(utf8(nestedObjects(512))).ok).toBe(true);
  });

  const tooDeep: [label: string, text: string][] = [
    ['513 nested arrays', nestedArrays(513)],
    ['513 nested objects', nestedObjects(513)],
    ['513 levels of mixed arrays and objects', `${'[{"a":'.repeat(256)}[1]${'}]'.repeat(256)}`],
    ['100 000 nested arrays', nestedArrays(100_000)],
    ['an unclosed tower of 10 000 brackets', '['.repeat(10_000)],
  ];
  it.each(tooDeep)('refuses %s with a detail naming the 512 limit', (_label, text) => {
    const r = checkJson(utf8(text));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.detail.startsWith('Invalid JSON')).toBe(true);
      expect(r.detail).toContain('512');
    }
  });

  it('does not count brackets inside strings toward the depth limit', () => {
    const deepInString = '['.repeat(510) + JSON.stringify('[[[[[[[[[[{{{{{') + ']'.repeat(510);
    const r = checkJson(utf8(deepInString));
    expect(r.ok).toBe(true);
  });
});

describe('maxDepth', () => {
  const cases: [label: string, text: string, depth: number][] = [
    ['a number', '1', 0],
    ['a plain string', '"abc"', 0],
    ['an empty object', '{}', 1],
    ['an empty array', '[]', 1],
    ['siblings at one level', '[1,2,[],[],{}]', 2],
    ['an uneven tree', '[[],[[]],[[[{}]]]]', 5],
    ['the deepest branch first', '[[[[{}]]],[],{"a":1}]', 5],
    ['objects in objects', '{"a":{"b":{"c":[1]}}}', 4],
    ['brackets inside a string', '["[[[{{{"]', 1],
    ['closers inside a string', '[["]]]]"],[1]]', 2],
    ['brackets after an escaped quote', '["\\"[[["]', 1],
    ['brackets after an escaped backslash', '["\\\\", [[1]]]', 3],
    ['a key full of brackets', '{"a[{":"}]"}', 1],
    ['many escaped quotes in a row', '["\\"\\"\\"[", {"k":"\\\\"}]', 2],
    ['non-ASCII text around brackets', '{"prato":"Feijão [especial]","itens":[["açaí"]]}', 3],
    [`${MAX_DEPTH} nested arrays`, nestedArrays(MAX_DEPTH), MAX_DEPTH],
    [`${MAX_DEPTH + 1} nested arrays`, nestedArrays(MAX_DEPTH + 1), MAX_DEPTH + 1],
  ];
  it.each(cases)('measures %s', (_label, text, depth) => {
    expect(maxDepth(utf8(text))).toBe(depth);
  });

  it('stops counting soon after the limit on a hostile body', () => {
    const d = maxDepth(utf8(nestedArrays(1_000_000)));
    expect(d).toBeGreaterThan(MAX_DEPTH);
    expect(d).toBeLessThan(1_000_000);
  });

  it('finds depth from bytes, whatever the text encoding of the strings', () => {
    const withMultibyte = bytes('[["', [0xe2, 0x80, 0x9c], '[', [0xe2, 0x80, 0x9d], '"]]');
    expect(maxDepth(withMultibyte)).toBe(2);
  });
});
