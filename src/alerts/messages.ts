import { duration } from '../lib/time.ts';
import { type ConditionId, condition, type Details } from './conditions.ts';
import type { Transition } from './evaluate.ts';
import type { When } from './words.ts';

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
  const w = condition(t.condition);
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
