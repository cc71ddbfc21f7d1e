import { t } from '../i18n/index.ts';
import type { Env } from '../spool/index.ts';
import { tableShape, type UsualShape } from './identifiers.ts';
import { testDataReason } from './test-data.ts';
import { runTimeChecks } from './time-checks.ts';
import { has, impossiblePart, isObject, judgeTime, kind, type Obj, quote, TIME_FIELDS } from './values.ts';

/**
 * Payload warnings: the cloud answers 200 to any valid JSON, but its
 * Troubleshooting guide (v2.0, "Silent Failures (200 but no data in
 * dashboard)") lists what makes an event vanish afterwards: no `table_number`,
 * timestamps without a timezone, no event type, items without timestamps or
 * `employee_id`. The relay sees every payload first, so it says so in the 200
 * answer while the integrator is still at the POS. Warnings never change what
 * is stored or forwarded.
 *
 * This file is the whole list: each warning's id in WARNINGS (its help text,
 * for the status page and alerts, is `warning.<id>` in the i18n catalogs),
 * the checks that give them in CHECKS. A new warning is one entry and one
 * check (or a line in an existing one); the compiler refuses a check that
 * gives an id not in WARNINGS, and an id that no check gives.
 */

interface Definition {
  /** Stable snake_case: the metric label (`relay_payload_warnings_total{warning}`) and the status page row. */
  readonly id: string;
}

/** In the order the status page and /metrics list them. */
export const WARNINGS = [
  { id: 'not_an_object' },
  { id: 'missing_event' },
  { id: 'missing_table_number' },
  { id: 'missing_timestamp' },
  { id: 'timestamp_without_timezone' },
  { id: 'timestamp_not_iso8601' },
  { id: 'items_without_timestamp' },
  { id: 'items_without_employee_id' },
  { id: 'timestamp_wrong_timezone' },
  { id: 'timestamp_in_future' },
  { id: 'relay_clock_off' },
  { id: 'table_number_inconsistent' },
  { id: 'utf8_bom' },
  { id: 'test_data_in_prod' },
] as const satisfies readonly Definition[];

export type WarningId = (typeof WARNINGS)[number]['id'];

export const WARNING_IDS: readonly WarningId[] = WARNINGS.map((w) => w.id);

/** What each warning means for the restaurant's data, in English (i18n `warning.<id>`; the page and alerts say it in the site's language). */
export const WARNING_HELP = Object.fromEntries(WARNINGS.map((w) => [w.id, t('en', `warning.${w.id}`)])) as Readonly<
  Record<WarningId, string>
>;

export interface PayloadWarning {
  id: WarningId;
  /** One short sentence naming the field. */
  message: string;
}

/**
 * What a check may know besides the payload: the request's lane, the site,
 * the clocks and the token's history. Plain data, so the checks stay pure; a
 * new field here makes the compiler find every caller that must pass it.
 */
export interface WarningContext {
  /** The lane (`?env`): test data is only out of place in prod. */
  readonly env: Env;
  /** The site's IANA zone (`site.timezone`); null when not known, which skips the zone check. */
  readonly siteZone: string | null;
  /** The relay's clock (ms since the epoch); null skips the clock check. */
  readonly now: number | null;
  /** How far ahead of `now` a timestamp may be (`warnings.clock_ahead_minutes`). */
  readonly clockAheadMs: number;
  /** The relay's clock minus the cloud's (its answers' Date header); null while unknown. */
  readonly relayClockSkewMs: number | null;
  /** The token's usual table_number shape; null until enough values were seen and one scheme dominates. */
  readonly usualTable: UsualShape | null;
  /** The body began with a UTF-8 byte order mark, removed before the JSON was parsed, stored and forwarded. */
  readonly bom: boolean;
}

/** Nothing known beyond the payload: the checks that need a zone, a clock or history say nothing. */
export const NO_CONTEXT: WarningContext = {
  env: 'prod',
  siteZone: null,
  now: null,
  clockAheadMs: 15 * 60_000,
  relayClockSkewMs: null,
  usualTable: null,
  bom: false,
};

export type Warn<G extends WarningId> = (id: G, message: string) => void;

/** A check and the warnings it gives; `run` can only give those. */
export interface Check<G extends WarningId = WarningId> {
  readonly gives: readonly G[];
  readonly run: (payload: Obj, ctx: WarningContext, warn: Warn<G>) => void;
  /** It reads how the body arrived (the context), not its fields, so it runs on any JSON value, an object or not. */
  readonly anyValue?: true;
}

const check = <const G extends WarningId>(gives: readonly G[], run: Check<G>['run']): Check<G> => ({ gives, run });

const bodyCheck = <const G extends WarningId>(
  gives: readonly G[],
  run: (ctx: WarningContext, warn: Warn<G>) => void,
): Check<G> => ({ gives, run: (_p, ctx, warn) => run(ctx, warn), anyValue: true });

/** Given instead of all the others: a payload that is not one object has none of their fields. */
const NOT_AN_OBJECT = {
  id: 'not_an_object',
  message: (v: unknown) =>
    `payload is ${kind(v)}, not a JSON object: the cloud expects one event object with event, timestamp and table_number`,
} as const satisfies { id: WarningId; message: (v: unknown) => string };

/** In the order their warnings appear in the answer. */
export const CHECKS = [
  check(['missing_event'], (p, _ctx, warn) => {
    if (!has(p, 'event')) warn('missing_event', 'event is missing: name the event type, e.g. "event": "order_created"');
  }),

  check(['missing_table_number'], (p, _ctx, warn) => {
    if (has(p, 'table_number')) return;
    warn(
      'missing_table_number',
      has(p, 'table')
        ? 'table_number is missing: guide v2.0 expects table_number, and table was sent (the v1.0 name); send table_number too'
        : 'table_number is missing: the cloud dashboard needs it (guide v2.0, "Missing Critical Fields")',
    );
  }),

  check(['missing_timestamp', 'timestamp_without_timezone', 'timestamp_not_iso8601'], (p, _ctx, warn) => {
    const times = TIME_FIELDS.filter((f) => has(p, f));
    if (times.length === 0) {
      warn('missing_timestamp', 'timestamp is missing: add an ISO 8601 timestamp with timezone offset');
    }
    for (const f of times) {
      const v = p[f];
      const verdict = judgeTime(v);
      if (verdict === 'no_zone') {
        warn(
          'timestamp_without_timezone',
          `${f} ${quote(v)} has no timezone offset: add Z or ±hh:mm, e.g. "2025-11-24T18:30:00-03:00"`,
        );
      } else if (verdict === 'not_iso') {
        warn(
          'timestamp_not_iso8601',
          `${f} ${quote(v)} is not an ISO 8601 date-time: send e.g. "2025-11-24T18:30:00-03:00"`,
        );
      } else if (verdict === 'impossible') {
        warn(
          'timestamp_not_iso8601',
          `${f} ${quote(v)} is no possible date-time (${impossiblePart(v as string)}): send e.g. "2025-11-24T18:30:00-03:00"`,
        );
      }
    }
  }),

  // One warning per kind, naming how many items and the first one, so a
  // 200-item order gives at most four lines.
  check(
    ['items_without_timestamp', 'timestamp_without_timezone', 'timestamp_not_iso8601', 'items_without_employee_id'],
    (p, _ctx, warn) => {
      const items = p.items;
      if (!Array.isArray(items) || items.length === 0) return;
      const noTime: number[] = [];
      const noEmployee: number[] = [];
      const noZone: number[] = [];
      const notIso: number[] = [];
      items.forEach((item, i) => {
        const o = isObject(item) ? item : {};
        if (!has(o, 'employee_id')) noEmployee.push(i);
        if (!has(o, 'timestamp')) {
          noTime.push(i);
          return;
        }
        const verdict = judgeTime(o.timestamp);
        if (verdict === 'no_zone') noZone.push(i);
        else if (verdict === 'not_iso' || verdict === 'impossible') notIso.push(i);
      });
      const n = items.length;
      // "1 of 3 items has", "2 of 3 items have"
      const of = (list: number[]) =>
        `${list.length} of ${n} item${n === 1 ? '' : 's'} ${list.length === 1 ? 'has' : 'have'}`;
      const first = (list: number[]) => `items[${list[0]}]`;
      const firstTime = (list: number[]) => quote((items[list[0]!] as Obj).timestamp);
      if (noTime.length > 0) {
        warn(
          'items_without_timestamp',
          `${of(noTime)} no timestamp (first: ${first(noTime)}): add when each item was ordered`,
        );
      }
      if (noZone.length > 0) {
        warn(
          'timestamp_without_timezone',
          `${of(noZone)} a timestamp without timezone offset (first: ${first(noZone)}.timestamp ${firstTime(noZone)}): add Z or ±hh:mm`,
        );
      }
      if (notIso.length > 0) {
        warn(
          'timestamp_not_iso8601',
          `${of(notIso)} a timestamp that is not ISO 8601 (first: ${first(notIso)}.timestamp ${firstTime(notIso)})`,
        );
      }
      if (noEmployee.length > 0) {
        warn(
          'items_without_employee_id',
          `${of(noEmployee)} no employee_id (first: ${first(noEmployee)}): add who took each item`,
        );
      }
    },
  ),

  check(['timestamp_wrong_timezone', 'timestamp_in_future', 'relay_clock_off'], runTimeChecks),

  check(['table_number_inconsistent'], (p, ctx, warn) => {
    const usual = ctx.usualTable;
    if (usual === null || !has(p, 'table_number')) return;
    const shape = tableShape(p.table_number);
    if (shape === null || shape === usual.shape) return;
    warn(
      'table_number_inconsistent',
      `table_number ${quote(p.table_number)} does not look like this POS's usual ${quote(usual.example)} (seen ${usual.count} times): use one naming scheme so the dashboard keeps one table as one table`,
    );
  }),

  check(['test_data_in_prod'], (p, ctx, warn) => {
    if (ctx.env !== 'prod') return;
    const why = testDataReason(p);
    if (why === null) return;
    warn(
      'test_data_in_prod',
      `this looks like test data (${why}) sent to production: send tests to ?env=dev so they stay out of the restaurant's dashboard`,
    );
  }),

  // Last, so a payload's own warnings come first whether it is an object or not.
  bodyCheck(['utf8_bom'], (ctx, warn) => {
    if (!ctx.bom) return;
    warn(
      'utf8_bom',
      'the body began with a UTF-8 byte order mark, which JSON senders must not add (RFC 8259 §8.1) and the cloud may refuse: the relay stored and forwarded the JSON after it; write UTF-8 without a BOM (.NET: new UTF8Encoding(false))',
    );
  }),
] as const;

type Unchecked = Exclude<WarningId, typeof NOT_AN_OBJECT.id | (typeof CHECKS)[number]['gives'][number]>;
type NoneUnchecked<T extends never> = T;
/** Does not compile, naming the id, while a warning in WARNINGS has no check that gives it. */
export type EveryWarningChecked = NoneUnchecked<Unchecked>;

/** Pure: a parsed JSON value (and its context) in, the warnings in answer order out. */
export function payloadWarnings(value: unknown, ctx: WarningContext = NO_CONTEXT): PayloadWarning[] {
  const out: PayloadWarning[] = [];
  const warn = (id: WarningId, message: string) => {
    out.push({ id, message });
  };
  if (!isObject(value)) {
    out.push({ id: NOT_AN_OBJECT.id, message: NOT_AN_OBJECT.message(value) });
    for (const c of CHECKS) if ('anyValue' in c) c.run({}, ctx, warn);
    return out;
  }
  for (const c of CHECKS) c.run(value, ctx, warn);
  return out;
}
