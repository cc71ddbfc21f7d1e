import { describe, expect, it } from 'bun:test';
import {
  bodyDeadlineMs,
  idleSecondsFor,
  lateBodyDetail,
  MAX_DEADLINE_MS,
  MIN_BODY_RATE,
} from '../../src/http/deadline.ts';

const MB = 1024 * 1024;
const MAX = 10 * MB;

describe('bodyDeadlineMs: the base time plus 1 s per MIN_BODY_RATE bytes declared', () => {
  it.each([
    ['an empty body', 0, 20, 20_000],
    ['a 2 KB order', 2048, 20, 20_031],
    ['64 KB', MIN_BODY_RATE, 20, 21_000],
    ['1 MB', MB, 20, 36_000],
    ['10 MB, the largest', MAX, 20, 180_000],
    ['no Content-Length: the time of the largest', null, 20, 180_000],
    ['declared over the limit: no more than the largest (413 answers it anyway)', 50 * MB, 20, 180_000],
    ['a short base', 1000, 2, 2_015],
    ['a long base: capped below what Bun allows', MAX, 200, MAX_DEADLINE_MS],
  ] as const)('%s', (_what, declared, base, ms) => {
    expect(bodyDeadlineMs(declared, MAX, base)).toBe(ms);
  });
});

describe("idleSecondsFor: Bun's timer on the request, past the relay's deadline", () => {
  it.each([
    [20_000, 30, null],
    [25_000, 30, null],
    [25_001, 30, 31],
    [36_000, 30, 41],
    [180_000, 30, 185],
    [MAX_DEADLINE_MS, 30, 245],
    [2_015, 30, null],
  ] as const)('deadline %i ms, server idle %i s: %p', (ms, idle, want) => {
    expect(idleSecondsFor(ms, idle)).toBe(want);
  });
});

it('lateBodyDetail says what was expected, in what time, and that nothing was stored', () => {
  expect(lateBodyDetail(1000, 2_015, 2)).toBe(
    'Request Timeout: the body (Content-Length 1000) did not arrive within 2 s (server.body_timeout_seconds = 2, plus 1 s per 64 KB); nothing was stored: send it again',
  );
  expect(lateBodyDetail(null, 180_000, 20)).toStartWith(
    'Request Timeout: the body (no Content-Length) did not arrive within 180 s',
  );
});
