/**
 * Payload warnings as a pure function (src/warnings/): which warning each
 * payload gets and its wording. What the relay does with them (the 200's
 * "warnings", the stored row, the metric, the bytes forwarded unchanged) is
 * test/integration/warnings.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { NO_CONTEXT, payloadWarnings, WARNING_HELP, WARNING_IDS, type WarningId } from '../../src/warnings/index.ts';
import { CLEAN, ORDER_CREATED } from '../helpers/payloads.ts';

const ids = (v: unknown) => payloadWarnings(v).map((w) => w.id);
const messages = (v: unknown) => payloadWarnings(v).map((w) => w.message);

describe('payload warnings (pure)', () => {
  it('says nothing about the guide v2.0 correct payload', () => {
    expect(payloadWarnings(CLEAN)).toEqual([]);
  });

  const cases: [string, unknown, WarningId[], RegExp[]][] = [
    [
      'no table_number',
      { ...CLEAN, table_number: undefined },
      ['missing_table_number'],
      [/^table_number is missing: the cloud dashboard needs it/],
    ],
    [
      'table instead of table_number (guide v1.0 name)',
      { ...CLEAN, table_number: undefined, table: 'Mesa 8' },
      ['missing_table_number'],
      [/table_number is missing: guide v2\.0 expects table_number, and table was sent/],
    ],
    ['an empty table_number', { ...CLEAN, table_number: '' }, ['missing_table_number'], [/table_number/]],
    ['a null table_number', { ...CLEAN, table_number: null }, ['missing_table_number'], [/table_number/]],
    ['no event', { ...CLEAN, event: undefined }, ['missing_event'], [/^event is missing/]],
    ['no timestamp at all', { ...CLEAN, timestamp: undefined }, ['missing_timestamp'], [/^timestamp is missing/]],
    [
      'a timestamp without timezone',
      { ...CLEAN, timestamp: '2025-11-24T18:30:00' },
      ['timestamp_without_timezone'],
      [/^timestamp "2025-11-24T18:30:00" has no timezone offset/],
    ],
    [
      'Python isoformat() of a naive datetime (microseconds, no zone)',
      { ...CLEAN, timestamp: '2025-11-24T18:30:00.123456' },
      ['timestamp_without_timezone'],
      [/^timestamp "2025-11-24T18:30:00\.123456"/],
    ],
    [
      'session_start and session_end without timezone',
      { ...CLEAN, timestamp: undefined, session_start: '2025-11-24T18:00:00', session_end: '2025-11-24T20:00:00Z' },
      ['timestamp_without_timezone'],
      [/^session_start "2025-11-24T18:00:00" has no timezone offset/],
    ],
    [
      'a timestamp that is not a date-time',
      { ...CLEAN, timestamp: '24/11/2025 18:30' },
      ['timestamp_not_iso8601'],
      [/^timestamp "24\/11\/2025 18:30" is not an ISO 8601 date-time/],
    ],
    [
      'an epoch number as timestamp',
      { ...CLEAN, timestamp: 1764019800 },
      ['timestamp_not_iso8601'],
      [/^timestamp "1764019800"/],
    ],
    [
      'items without timestamp or employee_id (counted, one warning per kind)',
      { ...CLEAN, items: [{ name: 'Pasta' }, { name: 'Wine', employee_id: 72 }, { ...CLEAN.items[0] }] },
      ['items_without_timestamp', 'items_without_employee_id'],
      [
        /^2 of 3 items have no timestamp \(first: items\[0\]\)/,
        /^1 of 3 items has no employee_id \(first: items\[0\]\)/,
      ],
    ],
    [
      'items with timestamps lacking a timezone',
      { ...CLEAN, items: [{ ...CLEAN.items[0] }, { ...CLEAN.items[0], timestamp: '2025-11-24T18:40:00' }] },
      ['timestamp_without_timezone'],
      [/^1 of 2 items has a timestamp without timezone offset \(first: items\[1\]\.timestamp "2025-11-24T18:40:00"\)/],
    ],
    [
      'an item that is not an object',
      { ...CLEAN, items: ['Pasta'] },
      ['items_without_timestamp', 'items_without_employee_id'],
      [/1 of 1 item has no timestamp/, /1 of 1 item has no employee_id/],
    ],
    ['a JSON array', [CLEAN], ['not_an_object'], [/^payload is an array, not a JSON object/]],
    ['a JSON string', 'hello', ['not_an_object'], [/^payload is a string, not a JSON object/]],
    ['JSON null', null, ['not_an_object'], [/^payload is null, not a JSON object/]],
  ];
  for (const [what, payload, want, texts] of cases) {
    it(`warns about ${what}`, () => {
      expect(ids(payload)).toEqual(want);
      const m = messages(payload);
      for (const [i, re] of texts.entries()) expect(m[i]).toMatch(re);
    });
  }

  const offsets = [
    '2025-11-24T18:30:00Z',
    '2025-11-24T18:30:00z',
    '2025-11-24T18:30:00-03:00',
    '2025-11-24T18:30:00+0530',
    '2025-11-24T18:30:00.123+00:00',
    '2025-11-24 18:30:00-03',
    '2025-11-24T18:30Z',
  ];
  for (const ts of offsets) {
    it(`accepts the zoned timestamp ${ts}`, () => expect(ids({ ...CLEAN, timestamp: ts })).toEqual([]));
  }

  it('gives the guide v1.0 order_created example its three warnings, in order', () => {
    expect(ids(JSON.parse(ORDER_CREATED))).toEqual([
      'missing_table_number',
      'items_without_timestamp',
      'items_without_employee_id',
    ]);
  });

  it('quotes at most 40 characters of a bad value, so a huge field cannot bloat the answer', () => {
    const [m] = messages({ ...CLEAN, timestamp: 'x'.repeat(10_000) });
    expect(m!.length).toBeLessThan(200);
  });

  it('says a UTF-8 byte order mark was removed, after the payload own warnings, object or not', () => {
    const bom = { ...NO_CONTEXT, bom: true };
    expect(payloadWarnings(CLEAN, bom)).toEqual([
      {
        id: 'utf8_bom',
        message:
          'the body began with a UTF-8 byte order mark, which JSON senders must not add (RFC 8259 §8.1) and the cloud may refuse: the relay stored and forwarded the JSON after it; write UTF-8 without a BOM (.NET: new UTF8Encoding(false))',
      },
    ]);
    expect(payloadWarnings({ ...CLEAN, event: undefined }, bom).map((w) => w.id)).toEqual([
      'missing_event',
      'utf8_bom',
    ]);
    expect(payloadWarnings([1, 2], bom).map((w) => w.id)).toEqual(['not_an_object', 'utf8_bom']);
    expect(payloadWarnings('text', bom).map((w) => w.id)).toEqual(['not_an_object', 'utf8_bom']);
    expect(ids([1, 2])).toEqual(['not_an_object']);
  });

  it('gives every warning id a snake_case name and a help text for the status page', () => {
    for (const id of WARNING_IDS) {
      expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(WARNING_HELP[id].length).toBeGreaterThan(20);
    }
  });
});
