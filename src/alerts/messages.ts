import { WARNING_HELP } from '../warnings/index.ts';
import type { ConditionId, Details } from './conditions.ts';
import type { Transition } from './evaluate.ts';

/**
 * What a technician reads: one sentence per condition and state, with the
 * site, since when, and what to do, in `text` (the one field Slack, Teams
 * and Discord show). Pure. Tokens arrive here already masked (conditions.ts);
 * no URL or password is ever part of a finding.
 */

/** The JSON body POSTed to the webhook, key for key as README "Alerts" documents it. */
export interface AlertMessage {
  text: string;
  site: string;
  condition: ConditionId | 'test';
  state: 'firing' | 'resolved';
  /** ISO 8601, UTC. */
  since: string;
  details: Details;
  what_to_do: string;
}

/** A message and the subject line its e-mail gets. */
export interface Outgoing {
  message: AlertMessage;
  subject: string;
}

export interface RenderContext {
  site: string;
  /** IANA zone for the times in the text; "" or undefined: this PC's. */
  timeZone?: string;
}

interface Wording {
  title: string;
  firing: (d: Details, w: When) => string;
  resolved: (d: Details, w: When) => string;
  whatToDo: string;
}

/** The times a sentence can use. */
interface When {
  since: string;
  /** How long since `since`, at this message. */
  lasted: string;
}

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const pct = (v: unknown): string => `${Math.round(n(v) * 1000) / 10}%`;
const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
/** "880 MB"; a spool under 10 MB in KB, so a small quota does not read "0 MB of 1 MB". */
const size = (bytes: unknown) =>
  n(bytes) >= 10 * 1048576 ? `${Math.round(n(bytes) / 1048576)} MB` : `${Math.round(n(bytes) / 1024)} KB`;
/** "1 event waits", "12 events wait". */
const waiting = (k: number) => `${plural(k, 'event')} ${k === 1 ? 'waits' : 'wait'}`;
const tokenOf = (d: Details) => `token ${d.token}${d.token_name ? ` (${d.token_name})` : ''}`;

/** "HTTP 503 ×12, no answer ×6": the failures in the success-rate window, most frequent first. */
function codes(d: Details): string {
  const c = (d.codes ?? {}) as Record<string, number>;
  const parts = Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([code, k]) => `${code === 'error' ? 'no answer' : `HTTP ${code}`} ×${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no failures';
}

function kinds(d: Details): string {
  const k = Object.entries((d.kinds ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]);
  const list = k.map(([id, count]) => `${id} ×${count}`).join(', ');
  const help = k[0] ? (WARNING_HELP as Record<string, string>)[k[0][0]] : undefined;
  return help ? `${list} (${help})` : list;
}

const WORDING: Record<ConditionId, Wording> = {
  cloud_unreachable: {
    title: 'cloud unreachable',
    firing: (d, w) =>
      `the relay has not reached the EmiliaVision cloud since ${w.since} (${w.lasted}` +
      `${d.last_error ? `; last error: ${d.last_error}` : ''}). ` +
      `${waiting(n(d.pending))} safely on this PC.`,
    resolved: (_d, w) =>
      `the EmiliaVision cloud answers again (unreachable from ${w.since}, for ${w.lasted}); waiting events go out in order.`,
    whatToDo:
      "Check this PC's internet connection (and the proxy, if there is one). Nothing is lost: waiting events go out in order once the cloud answers.",
  },
  oldest_pending: {
    title: 'events waiting too long',
    firing: (d, w) =>
      `${waiting(n(d.pending))} for the cloud; the oldest (${tokenOf(d)}, ${d.env}) ` +
      `was received at ${w.since}, ${w.lasted} ago (alert after ${d.threshold_minutes} min).`,
    resolved: (d, w) =>
      `no event has waited longer than ${d.threshold_minutes} min any more (the backlog began at ${w.since}; ` +
      `${plural(n(d.pending), 'event')} waiting now).`,
    whatToDo:
      'Open the status page, "Waiting per token": it shows why they wait (no internet, a refused token, cloud errors). Nothing is lost.',
  },
  success_rate: {
    title: 'delivery success rate low',
    firing: (d, w) =>
      `only ${pct(d.rate)} of the last ${d.attempts} deliveries to the cloud succeeded ` +
      `(alert below ${pct(d.threshold)}) since ${w.since}: ${codes(d)}.`,
    resolved: (d, w) =>
      `deliveries succeed again: ${pct(d.rate)} of the last ${d.attempts} (it was low from ${w.since}, for ${w.lasted}).`,
    whatToDo:
      "The relay retries on its own and keeps every event. If it lasts, note the cloud's answers on the status page and send them to EmiliaVision support.",
  },
  token_paused: {
    title: 'token refused by the cloud',
    firing: (d, w) =>
      `the cloud refuses ${tokenOf(d)} as invalid or inactive (HTTP 401) since ${w.since}; its events are kept and retried.`,
    resolved: (d, w) =>
      `the cloud accepts ${tokenOf(d)} again (refused from ${w.since}, for ${w.lasted}); its kept events go out.`,
    whatToDo:
      'Compare that token in relay.toml with the one EmiliaVision issued, fix it and press "Reload config" on the status page; or ask EmiliaVision to reactivate it.',
  },
  dead_letters: {
    title: 'new dead letters',
    firing: (d, w) =>
      `the cloud rejected ${plural(n(d.new), 'event')} for good since ${w.since} ` +
      `(${plural(n(d.dead), 'dead letter')} in the spool now).`,
    resolved: (d, w) =>
      `the dead letters that came after ${w.since} were replayed (${plural(n(d.dead), 'dead letter')} in the spool now).`,
    whatToDo:
      'Open "Dead letters" on the status page: the cloud\'s answer says what is wrong. Have the POS integrator fix the payload (or ask EmiliaVision), then press Replay.',
  },
  spool_full: {
    title: 'spool filling up',
    firing: (d, w) =>
      `the relay's spool is ${pct(d.full)} full (${size(d.bytes)} of ${size(d.max_bytes)}, alert above ${pct(d.threshold)}) ` +
      `since ${w.since}. When it is full, the POS gets 503 and its events are refused.`,
    resolved: (d) => `the spool is down to ${pct(d.full)} full (${size(d.bytes)} of ${size(d.max_bytes)}).`,
    whatToDo:
      'Restore the internet connection so waiting events drain; or lower spool.retention_days (reload), or raise spool.max_size_mb (restart).',
  },
  spool_quarantined: {
    title: 'spool damaged and set aside',
    firing: (d, w) =>
      `the disk damaged the relay's spool; at ${w.since} the relay set it aside as ${d.file} and kept taking ` +
      `events in a fresh one, and puts the readable waiting events back on its own (${d.reason}).`,
    resolved: (d) => `the damaged spool file ${d.file} was moved away; nothing else is set aside.`,
    whatToDo:
      "Check the PC's disk (SMART, Windows' chkdsk) and its power; keep the file for EmiliaVision support, then move it out of the spool folder.",
  },
  payload_warnings: {
    title: 'payload warnings',
    firing: (d, w) =>
      `events with payload warnings from ${tokenOf(d)}: ${d.warned} of ${d.events} since the relay started ` +
      `(first at ${w.since}): ${kinds(d)}. The cloud accepts them, but its dashboard may not show them.`,
    resolved: (d) =>
      `${tokenOf(d)} now sends clean events: ${plural(n(d.first_events), 'event')} in a row without payload warnings.`,
    whatToDo:
      'Send the warnings to the POS integrator: the status page ("Recent events") and `relay events show ID` give their full text.',
  },
};

const MINUTE = 60_000;

/** "47 min", "3 h 5 min", "2 d 4 h"; "less than a minute" below one. */
export function duration(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / MINUTE);
  if (min < 1) return 'less than a minute';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  return h % 24 === 0 ? `${Math.floor(h / 24)} d` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "08:12" on the day of `now` in the site's zone, "3 Jan 08:12" on another day. */
export function localTime(at: number, now: number, timeZone?: string): string {
  const tz = timeZone ? { timeZone } : {};
  const day = new Intl.DateTimeFormat('en-GB', { ...tz, day: 'numeric', month: 'short' });
  const time = new Intl.DateTimeFormat('en-GB', { ...tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const d = new Date(at);
  const sameDay = day.format(d) === day.format(new Date(now)) && Math.abs(now - at) < 86_400_000;
  return sameDay ? time.format(d) : `${day.format(d)} ${time.format(d)}`;
}

/**
 * The message for `t`, whose times are monotonic (evaluate.ts acts on them);
 * `wall` turns one into the wall time people read (lib/clock.ts wallAt), so
 * "since 11:54" is in today's wall-clock frame even after a step.
 */
export function render(t: Transition, ctx: RenderContext, wall: (mono: number) => number): Outgoing {
  const w = WORDING[t.condition];
  const since = wall(t.since);
  const at = wall(t.at);
  const when: When = { since: localTime(since, at, ctx.timeZone), lasted: duration(t.at - t.since) };
  const firing = t.state === 'firing';
  const sentence = firing ? w.firing(t.details, when) : w.resolved(t.details, when);
  const head = firing ? `🔴 ${ctx.site}${t.repeat ? ', still' : ''}: ` : `✅ ${ctx.site}, resolved: `;
  const whatToDo = firing ? w.whatToDo : 'Nothing to do.';
  const text = firing ? `${head}${sentence} What to do: ${whatToDo}` : `${head}${sentence}`;
  return {
    message: {
      text,
      site: ctx.site,
      condition: t.condition,
      state: t.state,
      since: new Date(since).toISOString(),
      details: t.details,
      what_to_do: whatToDo,
    },
    subject: `[relay] ${ctx.site}: ${w.title}${firing ? (t.repeat ? ' (still)' : '') : ' (resolved)'}`,
  };
}

/** `relay alerts test`: says where it comes from, and that nothing is wrong. */
export function testMessage(ctx: RenderContext, now: number): Outgoing {
  const whatToDo = 'Nothing: this is a test. Real alerts look like this one.';
  return {
    message: {
      text: `🧪 ${ctx.site}: test alert from the relay (relay alerts test). If you read this, alerts reach you; nothing is wrong.`,
      site: ctx.site,
      condition: 'test',
      state: 'firing',
      since: new Date(now).toISOString(),
      details: { test: true },
      what_to_do: whatToDo,
    },
    subject: `[relay] ${ctx.site}: test alert`,
  };
}
