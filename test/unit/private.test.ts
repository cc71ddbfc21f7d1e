import { describe, expect, it } from 'bun:test';
import { readableBy } from '../../src/lib/private.ts';

describe('readableBy: who besides the owner may read a file', () => {
  it.each([
    [0o100600, null],
    [0o100400, null],
    [0o100700, null],
    [0o100620, null],
    [0o100602, null],
    [0o100640, 'group'],
    [0o100604, 'others'],
    [0o100644, 'group and others'],
    [0o100666, 'group and others'],
  ] as const)('mode %o: %p', (mode, who) => {
    expect(readableBy(mode)).toBe(who);
  });
});
