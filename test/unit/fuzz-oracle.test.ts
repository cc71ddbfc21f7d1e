/**
 * The fuzz test's oracle (test/helpers/fuzz.ts) against RFC 8259 on the
 * cases that matter: were it wrong, test/binary/fuzz.test.ts would check the
 * relay against a wrong answer.
 */
import { describe, expect, it } from 'bun:test';
import { rfc8259Depth } from '../helpers/fuzz.ts';

describe('the oracle itself', () => {
  it('agrees with RFC 8259 on the cases that matter', () => {
    const yes = ['{}', '[]', ' 1 ', '"\\ud800"', '{"a":[1,{"b":null}]}', '-0.5e-3', '"é"'];
    const no = [
      '',
      '{',
      '[1,]',
      '{"a":1,}',
      'NaN',
      '01',
      '.5',
      '"\\x"',
      '{} {}',
      "'a'",
      '"\u0001"',
      '[1 2]',
      '{"a" 1}',
      '{1:2}',
    ];
    for (const t of yes) expect(rfc8259Depth(t)).toBeGreaterThanOrEqual(0);
    for (const t of no) expect([t, rfc8259Depth(t)]).toEqual([t, -1]);
    expect(rfc8259Depth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});
