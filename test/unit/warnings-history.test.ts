/**
 * The checks that need the token's history or the lane, as pure functions:
 * `table_number_inconsistent` (the shape learner and the check reading it)
 * and `test_data_in_prod`; and the new ids' place in the one list.
 */
import { describe, expect, it } from 'bun:test';
import {
  NO_CONTEXT,
  payloadWarnings,
  TABLE_WINDOW,
  TableShapes,
  tableShape,
  testDataReason,
  WARNING_HELP,
  WARNING_IDS,
  type WarningContext,
} from '../../src/warnings/index.ts';

const CLEAN = {
  event: 'session_complete',
  order_id: 'ORD-123',
  table_number: 'Mesa 8',
  timestamp: '2025-11-24T18:30:00-03:00',
};
const table = (t: unknown) => ({ ...CLEAN, table_number: t });
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('tableShape', () => {
  const rows: [unknown, string | null][] = [
    ['Mesa 8', 'mesa #'],
    ['Mesa 104', 'mesa #'],
    ['Table 12', 'table #'],
    ['M-104', 'm-#'],
    ['12', '#'],
    [12, '#'],
    ['  MESA   8 ', 'mesa #'],
    ['Mesa 8A', 'mesa #a'],
    ['Terraço 3', 'terraço #'],
    ['Bar', 'bar'],
    ['', null],
    ['   ', null],
    [null, null],
    [true, null],
    [{ n: 8 }, null],
    [Number.NaN, null],
  ];
  for (const [v, shape] of rows) it(`${JSON.stringify(v)} → ${shape}`, () => expect(tableShape(v)).toBe(shape));

  it('reads only the first 40 characters of a huge value', () => {
    expect(tableShape(`Mesa ${'9'.repeat(1_000_000)}`)).toBe('mesa #');
    expect(tableShape('x'.repeat(100))!.length).toBe(40);
  });
});

describe('TableShapes', () => {
  const learnAll = (s: TableShapes, values: unknown[], token = 'tok') => {
    for (const v of values) s.learn(token, table(v));
  };
  const mesas = (n: number) => Array.from({ length: n }, (_, i) => `Mesa ${i + 1}`);

  it('says nothing before identifier_min_samples values', () => {
    const s = new TableShapes();
    learnAll(s, mesas(19));
    expect(s.usual('tok', 20)).toBeNull();
    learnAll(s, ['Mesa 20']);
    expect(s.usual('tok', 20)).toEqual({ shape: 'mesa #', example: 'Mesa 20', count: 20, total: 20 });
  });

  it('needs one shape to hold 80% of the values', () => {
    const s = new TableShapes();
    learnAll(s, [...mesas(16), 'Table 1', 'Table 2', 'M-3', '4']);
    expect(s.usual('tok', 20)?.count).toBe(16);
    learnAll(s, ['Table 5']); // 16 of 21
    expect(s.usual('tok', 20)).toBeNull();
  });

  it('keeps tokens apart', () => {
    const s = new TableShapes();
    learnAll(s, mesas(20), 'a');
    expect(s.usual('a', 20)).not.toBeNull();
    expect(s.usual('b', 20)).toBeNull();
  });

  it(`remembers the last ${TABLE_WINDOW} values, so a deliberate change of scheme wins`, () => {
    const s = new TableShapes();
    learnAll(s, mesas(500));
    learnAll(
      s,
      Array.from({ length: TABLE_WINDOW }, (_, i) => `Table ${i}`),
    );
    expect(s.usual('tok', 20)).toEqual({
      shape: 'table #',
      example: `Table ${TABLE_WINDOW - 1}`,
      count: TABLE_WINDOW,
      total: TABLE_WINDOW,
    });
  });

  it('stays bounded however many distinct shapes a token sends', () => {
    const s = new TableShapes();
    learnAll(
      s,
      Array.from(
        { length: 50_000 },
        (_, i) => `${String.fromCharCode(97 + (i % 26))}${i.toString(36).replace(/\d/g, '')}`,
      ),
    );
    expect(s.distinct('tok')).toBeLessThanOrEqual(TABLE_WINDOW);
    learnAll(s, mesas(TABLE_WINDOW));
    expect(s.distinct('tok')).toBe(1);
  });

  it('counts a larger identifier_min_samples than it can remember as the window', () => {
    const s = new TableShapes();
    learnAll(s, mesas(TABLE_WINDOW + 5));
    expect(s.usual('tok', 10_000)?.total).toBe(TABLE_WINDOW);
  });

  const unlearned: [string, unknown][] = [
    ['a connection test', { ...table('Test Table'), event: 'connection_test' }],
    ['"test": true', { ...table('Mesa 1'), test: true }],
    ['a TEST- order', { ...table('Mesa 1'), order_id: 'TEST-1234' }],
    ['no table_number', { event: 'x' }],
    ['an array', [table('Mesa 1')]],
  ];
  for (const [what, p] of unlearned) {
    it(`does not learn from ${what}`, () => {
      const s = new TableShapes();
      for (let i = 0; i < 30; i++) s.learn('tok', p);
      expect(s.usual('tok', 1)).toBeNull();
    });
  }

  it('seeds from stored bodies, newest first, skipping what does not parse', () => {
    const s = new TableShapes();
    const bodies = [
      enc(table('Mesa 99')), // newest: the example
      new TextEncoder().encode('{not json'),
      new Uint8Array([0xff, 0xfe]),
      ...mesas(25).map((m) => enc(table(m))),
    ];
    s.seed('tok', bodies);
    expect(s.knows('tok')).toBe(true);
    expect(s.usual('tok', 20)).toEqual({ shape: 'mesa #', example: 'Mesa 99', count: 26, total: 26 });
  });

  it('marks a token known once seeded, even from nothing, and forgets it on request', () => {
    const s = new TableShapes();
    s.seed('tok', []);
    expect(s.tokens()).toEqual(['tok']);
    s.forget('tok');
    expect(s.knows('tok')).toBe(false);
  });
});

describe('table_number_inconsistent', () => {
  const usual = { shape: 'mesa #', example: 'Mesa 8', count: 37, total: 40 };
  const ctx: WarningContext = { ...NO_CONTEXT, usualTable: usual };
  const ids = (v: unknown, c = ctx) => payloadWarnings(v, c).map((w) => w.id);

  it('names the usual scheme and an example', () => {
    expect(payloadWarnings(table('Table 12'), ctx)).toEqual([
      {
        id: 'table_number_inconsistent',
        message: `table_number "Table 12" does not look like this POS's usual "Mesa 8" (seen 37 times): use one naming scheme so the dashboard keeps one table as one table`,
      },
    ]);
  });

  const rows: [unknown, boolean][] = [
    ['Mesa 12', false],
    ['mesa 104', false],
    [' MESA 3 ', false],
    ['Table 12', true],
    ['M-104', true],
    ['12', true],
    [12, true],
    ['Mesa 8A', true],
  ];
  for (const [v, warned] of rows) {
    it(`${warned ? 'warns about' : 'accepts'} ${JSON.stringify(v)} among "Mesa N"`, () => {
      expect(ids(table(v))).toEqual(warned ? ['table_number_inconsistent'] : []);
    });
  }

  it('says nothing while no usual shape is known, or without a table_number', () => {
    expect(ids(table('Table 12'), NO_CONTEXT)).toEqual([]);
    expect(ids({ ...CLEAN, table_number: undefined })).toEqual(['missing_table_number']);
    expect(ids(table({ n: 1 }))).toEqual([]);
  });
});

describe('test_data_in_prod', () => {
  const prod: WarningContext = NO_CONTEXT;
  const dev: WarningContext = { ...NO_CONTEXT, env: 'dev' };
  const rows: [string, Record<string, unknown>, string | null][] = [
    ['"test": true', { ...CLEAN, test: true }, '"test": true'],
    ['"diagnostic": true', { ...CLEAN, diagnostic: true }, '"diagnostic": true'],
    ['event test', { ...CLEAN, event: 'test' }, 'event "test"'],
    ['event connection_test', { ...CLEAN, event: 'connection_test' }, 'event "connection_test"'],
    ['event diagnostic_test', { ...CLEAN, event: 'diagnostic_test' }, 'event "diagnostic_test"'],
    ['event Connection_Test', { ...CLEAN, event: 'Connection_Test' }, 'event "Connection_Test"'],
    ['table_number Test Table', table('Test Table'), 'table_number "Test Table"'],
    ['table_number TEST TABLE', table('TEST TABLE'), 'table_number "TEST TABLE"'],
    ['table_number Diagnostic Test', table('Diagnostic Test'), 'table_number "Diagnostic Test"'],
    ['table (v1.0) Test Table', { ...CLEAN, table_number: undefined, table: 'test table' }, 'table "test table"'],
    ['order_id TEST-1234', { ...CLEAN, order_id: 'TEST-1234' }, 'order_id "TEST-1234"'],
    ['order_id test-9', { ...CLEAN, order_id: 'test-9' }, 'order_id "test-9"'],
    ['"test": "yes" (not true)', { ...CLEAN, test: 'yes' }, null],
    ['"test": false', { ...CLEAN, test: false }, null],
    ['event order_test', { ...CLEAN, event: 'order_test' }, null],
    ['table_number Mesa Test', table('Mesa Test'), null],
    ['order_id ORD-TEST-1', { ...CLEAN, order_id: 'ORD-TEST-1' }, null],
    ['order_id TESTER-1', { ...CLEAN, order_id: 'TESTER-1' }, null],
    ['the correct payload', CLEAN, null],
  ];
  for (const [what, p, why] of rows) {
    it(`${what}: ${why === null ? 'real data' : 'test data in prod, nothing in dev'}`, () => {
      expect(testDataReason(p)).toBe(why);
      const got = payloadWarnings(p, prod).filter((w) => w.id === 'test_data_in_prod');
      expect(got.map((w) => w.message)).toEqual(
        why === null
          ? []
          : [
              `this looks like test data (${why}) sent to production: send tests to ?env=dev so they stay out of the restaurant's dashboard`,
            ],
      );
      expect(payloadWarnings(p, dev).filter((w) => w.id === 'test_data_in_prod')).toEqual([]);
    });
  }
});

describe('the new ids in the one list', () => {
  const added = [
    'timestamp_wrong_timezone',
    'timestamp_in_future',
    'relay_clock_off',
    'table_number_inconsistent',
    'test_data_in_prod',
  ] as const;
  for (const id of added) {
    it(`${id}: listed, snake_case, with a help text for the status page`, () => {
      expect(WARNING_IDS).toContain(id);
      expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(WARNING_HELP[id].length).toBeGreaterThan(40);
    });
  }
});
