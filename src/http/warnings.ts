/**
 * Payload warnings: the cloud answers 200 to any valid JSON, but its
 * Troubleshooting guide (v2.0, "Silent Failures (200 but no data in
 * dashboard)") lists what makes an event vanish afterwards: no `table_number`,
 * timestamps without a timezone, no event type, items without timestamps or
 * `employee_id`. The relay sees every payload first, so it says so in the 200
 * answer while the integrator is still at the POS. Warnings never change what
 * is stored or forwarded.
 *
 * Pure: a parsed JSON value in, a list of warnings out.
 */

/** Stable snake_case ids: metric labels (`relay_payload_warnings_total{warning}`) and status page rows. */
export const WARNING_IDS = [
  'not_an_object',
  'missing_event',
  'missing_table_number',
  'missing_timestamp',
  'timestamp_without_timezone',
  'timestamp_not_iso8601',
  'items_without_timestamp',
  'items_without_employee_id',
] as const;

export type WarningId = (typeof WARNING_IDS)[number];

export interface PayloadWarning {
  id: WarningId;
  /** One short sentence naming the field. */
  message: string;
}

/** What each warning means for the restaurant's data, for the status page. */
export const WARNING_HELP: Record<WarningId, string> = {
  not_an_object: 'The payload is not one JSON object, so it has no event, timestamp or table_number fields.',
  missing_event: 'No event type: the cloud cannot tell an order from a payment (basic guide, "Include event type").',
  missing_table_number:
    'No table_number: the most common silent failure (guide v2.0, "Missing Critical Fields"); v1.0 called it table.',
  missing_timestamp: 'No timestamp, session_start or session_end: the event cannot be placed in time.',
  timestamp_without_timezone:
    'A timestamp without Z or a ±hh:mm offset is read in the wrong timezone (guide v2.0, "Incorrect Timestamps").',
  timestamp_not_iso8601:
    'A timestamp that is not an ISO 8601 date-time with timezone (basic guide, "Include timestamps").',
  items_without_timestamp: 'Items without a timestamp: the dashboard cannot tell when each was ordered (guide v2.0).',
  items_without_employee_id: 'Items without employee_id: the dashboard cannot tell who took the order (guide v2.0).',
};

/** The top-level date-time fields the guides use. */
const TIME_FIELDS = ['timestamp', 'session_start', 'session_end'] as const;

/**
 * ISO 8601 / RFC 3339 date-time (date, `T` or space, hh:mm[:ss[.fff]]) and an
 * optional zone: `Z` or ±hh[:mm]. Group 1 is the zone.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Present and not null or an empty string ("No null values in required fields", guide v2.0 checklist). */
const has = (o: Obj, key: string): boolean =>
  Object.hasOwn(o, key) && o[key] !== null && o[key] !== undefined && o[key] !== '';

/** A value quoted for a message: short, so a huge field cannot bloat the answer. */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

type TimeVerdict = 'ok' | 'no_zone' | 'not_iso';

/** The same shape with the offset required: `test` allocates no match array (hot path). */
const DATE_TIME_ZONED = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

function judgeTime(v: unknown): TimeVerdict {
  if (typeof v !== 'string') return 'not_iso';
  if (DATE_TIME_ZONED.test(v)) return 'ok';
  return DATE_TIME.test(v) ? 'no_zone' : 'not_iso';
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

export function payloadWarnings(value: unknown): PayloadWarning[] {
  if (!isObject(value)) {
    return [
      {
        id: 'not_an_object',
        message: `payload is ${kind(value)}, not a JSON object: the cloud expects one event object with event, timestamp and table_number`,
      },
    ];
  }
  const out: PayloadWarning[] = [];

  if (!has(value, 'event')) {
    out.push({ id: 'missing_event', message: 'event is missing: name the event type, e.g. "event": "order_created"' });
  }

  if (!has(value, 'table_number')) {
    out.push({
      id: 'missing_table_number',
      message: has(value, 'table')
        ? 'table_number is missing: guide v2.0 expects table_number, and table was sent (the v1.0 name); send table_number too'
        : 'table_number is missing: the cloud dashboard needs it (guide v2.0, "Missing Critical Fields")',
    });
  }

  const times = TIME_FIELDS.filter((f) => has(value, f));
  if (times.length === 0) {
    out.push({
      id: 'missing_timestamp',
      message: 'timestamp is missing: add an ISO 8601 timestamp with timezone offset',
    });
  }
  for (const f of times) {
    const v = value[f];
    const verdict = judgeTime(v);
    if (verdict === 'no_zone') {
      out.push({
        id: 'timestamp_without_timezone',
        message: `${f} ${quote(v)} has no timezone offset: add Z or ±hh:mm, e.g. "2025-11-24T18:30:00-03:00"`,
      });
    } else if (verdict === 'not_iso') {
      out.push({
        id: 'timestamp_not_iso8601',
        message: `${f} ${quote(v)} is not an ISO 8601 date-time: send e.g. "2025-11-24T18:30:00-03:00"`,
      });
    }
  }

  if (Array.isArray(value.items) && value.items.length > 0) out.push(...itemWarnings(value.items));
  return out;
}

/** One warning per kind, naming how many items and the first one, so a 200-item order gives at most four lines. */
function itemWarnings(items: unknown[]): PayloadWarning[] {
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
  const out: PayloadWarning[] = [];
  if (noTime.length > 0) {
    out.push({
      id: 'items_without_timestamp',
      message: `${of(noTime)} no timestamp (first: ${first(noTime)}): add when each item was ordered`,
    });
  }
  if (noZone.length > 0) {
    const eg = quote((items[noZone[0]!] as Obj).timestamp);
    out.push({
      id: 'timestamp_without_timezone',
      message: `${of(noZone)} a timestamp without timezone offset (first: ${first(noZone)}.timestamp ${eg}): add Z or ±hh:mm`,
    });
  }
  if (notIso.length > 0) {
    const eg = quote((items[notIso[0]!] as Obj).timestamp);
    out.push({
      id: 'timestamp_not_iso8601',
      message: `${of(notIso)} a timestamp that is not ISO 8601 (first: ${first(notIso)}.timestamp ${eg})`,
    });
  }
  if (noEmployee.length > 0) {
    out.push({
      id: 'items_without_employee_id',
      message: `${of(noEmployee)} no employee_id (first: ${first(noEmployee)}): add who took each item`,
    });
  }
  return out;
}
