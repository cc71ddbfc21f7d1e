import { type Language, LOCALE, type MessageKey, t } from '../i18n/index.ts';
import { DAY_MS, duration } from '../lib/time.ts';
import { type ConditionId, condition, type Details } from './conditions.ts';
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
  /** The language its words are in (the e-mail's labels follow it); undefined: English. */
  lang?: Language;
}

export interface RenderContext {
  site: string;
  /** IANA zone for the times in the text; "" or undefined: this PC's. */
  timeZone?: string;
  /** `[site] language`; undefined: English. */
  lang?: Language;
}

/** "08:12" on the day of `now` in the site's zone, "3 Jan 08:12" on another day. */
export function localTime(at: number, now: number, timeZone?: string, lang: Language = 'en'): string {
  const tz = timeZone ? { timeZone } : {};
  const day = new Intl.DateTimeFormat(LOCALE[lang], { ...tz, day: 'numeric', month: 'short' });
  const time = new Intl.DateTimeFormat(LOCALE[lang], { ...tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const d = new Date(at);
  const sameDay = day.format(d) === day.format(new Date(now)) && Math.abs(now - at) < DAY_MS;
  return sameDay ? time.format(d) : t(lang, 'alert.time_other_day', { day: day.format(d), time: time.format(d) });
}

/**
 * The message for `t`, whose times are monotonic (evaluate.ts acts on them);
 * `wall` turns one into the wall time people read (lib/clock.ts wallAt), so
 * "since 11:54" is in today's wall-clock frame even after a step.
 */
export function render(tr: Transition, ctx: RenderContext, wall: (mono: number) => number): Outgoing {
  const w = condition(tr.condition);
  const lang = ctx.lang ?? 'en';
  const say = (key: MessageKey, params?: Parameters<typeof t>[2]) => t(lang, key, params);
  const since = wall(tr.since);
  const at = wall(tr.at);
  const firing = tr.state === 'firing';
  const sentence = say(`alert.${tr.condition}.${tr.state}`, {
    // The times any sentence may name; the condition words the rest.
    since: localTime(since, at, ctx.timeZone, lang),
    lasted: duration(tr.at - tr.since),
    ...w.words(tr.details, lang),
  });
  const site = { site: ctx.site };
  const head = say(firing ? (tr.repeat ? 'alert.head_still' : 'alert.head_firing') : 'alert.head_resolved', site);
  const whatToDo = firing ? say(`alert.${tr.condition}.what_to_do`) : say('alert.nothing_to_do');
  const text = firing ? `${head}${sentence} ${say('alert.what_to_do', { what: whatToDo })}` : `${head}${sentence}`;
  const title = say(`alert.${tr.condition}.title`);
  return {
    message: {
      text,
      site: ctx.site,
      condition: tr.condition,
      state: tr.state,
      since: new Date(since).toISOString(),
      details: tr.details,
      what_to_do: whatToDo,
    },
    subject: say(firing ? (tr.repeat ? 'alert.subject_still' : 'alert.subject') : 'alert.subject_resolved', {
      ...site,
      title,
    }),
    lang,
  };
}

/** `relay alerts test`: says where it comes from, and that nothing is wrong. */
export function testMessage(ctx: RenderContext, now: number): Outgoing {
  const lang = ctx.lang ?? 'en';
  const whatToDo = t(lang, 'alert.test_what_to_do');
  return {
    message: {
      text: t(lang, 'alert.test_text', { site: ctx.site }),
      site: ctx.site,
      condition: 'test',
      state: 'firing',
      since: new Date(now).toISOString(),
      details: { test: true },
      what_to_do: whatToDo,
    },
    subject: t(lang, 'alert.test_subject', { site: ctx.site }),
    lang,
  };
}
