import { has, isObject, judgeTime, kind, type Obj, quote } from './values.ts';

/**
 * Payload warnings: the cloud answers 200 to any valid JSON, but its
 * Troubleshooting guide (v2.0, "Silent Failures (200 but no data in
 * dashboard)") lists what makes an event vanish afterwards: no `table_number`,
 * timestamps without a timezone, no event type, items without timestamps or
 * `employee_id`. The relay sees every payload first, so it says so in the 200
 * answer while the integrator is still at the POS. Warnings never change what
 * is stored or forwarded.
 *
 * This file is the whole list: each warning's id and help text in WARNINGS,
 * the checks that give them in CHECKS. A new warning is one entry and one
 * check (or a line in an existing one); the compiler refuses a check that
 * gives an id not in WARNINGS, and an id that no check gives.
 */

interface Definition {
  /** Stable snake_case: the metric label (`relay_payload_warnings_total{warning}`) and the status page row. */
  readonly id: string;
  /** What the warning means for the restaurant's data, for the status page. */
  readonly help: string;
}

/** In the order the status page and /metrics list them. */
export const WARNINGS = [
  {
    id: 'not_an_object',
    help: 'The payload is not one JSON object, so it has no event, timestamp or table_number fields.',
  },
  {
    id: 'missing_event',
    help: 'No event type: the cloud cannot tell an order from a payment (basic guide, "Include event type").',
  },
  {
    id: 'missing_table_number',
    help: 'No table_number: the most common silent failure (guide v2.0, "Missing Critical Fields"); v1.0 called it table.',
  },
  {
    id: 'missing_timestamp',
    help: 'No timestamp, session_start or session_end: the event cannot be placed in time.',
  },
  {
    id: 'timestamp_without_timezone',
    help: 'A timestamp without Z or a ±hh:mm offset is read in the wrong timezone (guide v2.0, "Incorrect Timestamps").',
  },
  {
    id: 'timestamp_not_iso8601',
    help: 'A timestamp that is not an ISO 8601 date-time with timezone (basic guide, "Include timestamps").',
  },
  {
    id: 'items_without_timestamp',
    help: 'Items without a timestamp: the dashboard cannot tell when each was ordered (guide v2.0).',
  },
  {
    id: 'items_without_employee_id',
    help: 'Items without employee_id: the dashboard cannot tell who took the order (guide v2.0).',
  },
] as const satisfies readonly Definition[];

export type WarningId = (typeof WARNINGS)[number]['id'];

export const WARNING_IDS: readonly WarningId[] = WARNINGS.map((w) => w.id);

export const WARNING_HELP = Object.fromEntries(WARNINGS.map((w) => [w.id, w.help])) as Readonly<
  Record<WarningId, string>
>;

export interface PayloadWarning {
  id: WarningId;
  /** One short sentence naming the field. */
  message: string;
}

/**
 * What a check may know besides the payload. Nothing yet: a warning that
 * needs the clock (POS clock skew), the site's timezone or per-token history
 * adds a field here, and the compiler then finds every caller that must pass it.
 */
export type WarningContext = Readonly<Record<never, never>>;

type Warn<G extends WarningId> = (id: G, message: string) => void;

/** A check and the warnings it gives; `run` can only give those. */
export interface Check<G extends WarningId = WarningId> {
  readonly gives: readonly G[];
  readonly run: (payload: Obj, ctx: WarningContext, warn: Warn<G>) => void;
}

const check = <const G extends WarningId>(gives: readonly G[], run: Check<G>['run']): Check<G> => ({ gives, run });

/** Given instead of all the others: a payload that is not one object has none of their fields. */
const NOT_AN_OBJECT = {
  id: 'not_an_object',
  message: (v: unknown) =>
    `payload is ${kind(v)}, not a JSON object: the cloud expects one event object with event, timestamp and table_number`,
} as const satisfies { id: WarningId; message: (v: unknown) => string };

/** The top-level date-time fields the guides use. */
const TIME_FIELDS = ['timestamp', 'session_start', 'session_end'] as const;

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
        else if (verdict === 'not_iso') notIso.push(i);
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
] as const;

type Unchecked = Exclude<WarningId, typeof NOT_AN_OBJECT.id | (typeof CHECKS)[number]['gives'][number]>;
type NoneUnchecked<T extends never> = T;
/** Does not compile, naming the id, while a warning in WARNINGS has no check that gives it. */
export type EveryWarningChecked = NoneUnchecked<Unchecked>;

/** Pure: a parsed JSON value (and its context) in, the warnings in answer order out. */
export function payloadWarnings(value: unknown, ctx: WarningContext = {}): PayloadWarning[] {
  if (!isObject(value)) return [{ id: NOT_AN_OBJECT.id, message: NOT_AN_OBJECT.message(value) }];
  const out: PayloadWarning[] = [];
  const warn = (id: WarningId, message: string) => {
    out.push({ id, message });
  };
  for (const c of CHECKS) c.run(value, ctx, warn);
  return out;
}
