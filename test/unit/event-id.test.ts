/** Event ids carry their seq (src/spool/event-id.ts): table tests of the format and its parsing. */
import { describe, expect, it } from 'bun:test';
import { eventId, seqOfId } from '../../src/spool/event-id.ts';

const MODULE = new URL('../../src/spool/event-id.ts', import.meta.url).pathname;

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MS = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('event ids', () => {
  it.each([1, 2, 255, 65_536, 1_000_000, 2 ** 40 - 1])('are UUIDv7 strings that give back seq %p', (seq) => {
    const id = eventId(MS, seq);
    expect(id).toMatch(UUIDV7);
    expect(seqOfId(id)).toBe(seq);
    expect(seqOfId(id.toUpperCase())).toBe(seq);
  });

  it('carry the millisecond they were received at, as RFC 9562 §5.7 lays it out', () => {
    const id = eventId(MS, 7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(MS);
  });

  it('sort by time, then by seq (ack order)', () => {
    const ids = [eventId(MS, 9), eventId(MS, 10), eventId(MS + 1, 3), eventId(MS + 1, 4)];
    expect([...ids].sort()).toEqual(ids);
  });

  it('differ between two processes for the same millisecond and seq', () => {
    // Two real processes, each drawing its own random part as the relay does at start.
    const idInAProcess = () => {
      const code = `import { eventId } from ${JSON.stringify(MODULE)}; console.log(eventId(${MS}, 1));`;
      const run = Bun.spawnSync([process.execPath, '-e', code]);
      expect(run.exitCode).toBe(0);
      return run.stdout.toString().trim();
    };
    const [a, b] = [idInAProcess(), idInAProcess()];
    expect(a).toMatch(UUIDV7);
    expect(seqOfId(a)).toBe(1);
    expect(a).not.toBe(b);
  });

  it.each([0, -1, 1.5, 2 ** 40, Number.NaN])('refuse seq %p', (seq) => {
    expect(() => eventId(MS, seq)).toThrow(/seq out of range/);
  });

  it.each([
    ['not an id', 'hello'],
    ['a version-4 UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['an id with seq 0', '019ab6ed-150a-7be1-920f-000000000000'],
    ['an id with trailing text', `${eventId(MS, 5)}x`],
  ])('give no seq for %s', (_what, id) => {
    expect(seqOfId(id)).toBeNull();
  });
});
