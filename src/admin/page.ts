import {
  dateTime,
  type Language,
  LOCALE,
  type MessageKey,
  number,
  type Params,
  type PluralKey,
  t,
  tn,
} from '../i18n/index.ts';
import { duration } from '../lib/time.ts';
import { activitySvg, lastWith } from './activity.ts';
import { escapeHtml, Html, html } from './html.ts';
import { refusalsSection } from './refusals.ts';
import type { EventView, StatusView } from './view.ts';

/**
 * The status page: server-rendered HTML, every value escaped by `html`. The
 * page's script (/admin/app.js) fetches the same fragment from /admin/live
 * every 2 s and swaps it in, so there is one renderer, here.
 *
 * Its words are in `[site] language` (StatusView.language); the view's
 * sentences come already in it. Ids, HTTP codes, config keys and the cloud's
 * own answers stay as they are.
 */

/** The page's words in one language. */
interface Words {
  lang: Language;
  w: (key: MessageKey, params?: Params) => string;
  n: (key: PluralKey, count: number, params?: Params) => string;
  /** A sentence whose placeholders are markup (a <code>, a <time>): its words escaped, the markup kept. */
  h: (key: MessageKey, params: Readonly<Record<string, Html | string | number>>) => Html;
  when: (at: string | null, now: number, none?: string) => Html;
  /** An ISO 8601 time as a date and time in the site's zone, the ISO kept in <time datetime>. */
  at: (iso: string) => Html;
}

function wordsIn(lang: Language, zone: string): Words {
  const w = (key: MessageKey, params?: Params) => t(lang, key, params);
  return {
    lang,
    w,
    n: (key, count, params) => tn(lang, key, count, params),
    h: (key, params) =>
      new Html(
        t(lang, key)
          .split(/(\{\w+\})/)
          .map((part) => {
            const v = params[/^\{(\w+)\}$/.exec(part)?.[1] ?? ''];
            if (v === undefined) return escapeHtml(part);
            if (v instanceof Html) return v.text;
            return escapeHtml(typeof v === 'number' ? number(lang, v) : v);
          })
          .join(''),
      ),
    at: (iso) => html`<time datetime="${iso}" title="${iso}">${dateTime(lang, Date.parse(iso), zone)}</time>`,
    when: (at, now, none = w('when.never')) => {
      if (at === null) return html`<span class="muted">${none}</span>`;
      const ms = now - Date.parse(at);
      const words = ms < 1000 ? w('when.now') : w('when.ago', { d: duration(ms) });
      return html`<time datetime="${at}" title="${at}">${words}</time>`;
    },
  };
}

const mb = (s: Words, bytes: number): string => {
  const v = bytes / (1024 * 1024);
  const digits = v < 10 ? 2 : 0;
  const f = { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false };
  return `${new Intl.NumberFormat(LOCALE[s.lang], f).format(v)} MB`;
};

const tokenCell = (token: string, name: string) =>
  html`<span class="token"><code>${token}</code>${name ? html` <span class="muted">${name}</span>` : ''}</span>`;

const warningList = (s: Words, list: string[]) =>
  list.length === 0
    ? html`<span class="muted">${s.w('word.none')}</span>`
    : html`<ul class="warnings">${list.map((x) => html`<li>${x}</li>`)}</ul>`;

const STATUS_LABEL = { pending: 'status.pending', delivered: 'status.delivered', dead: 'status.dead' } as const;

const LEVEL = {
  ok: { title: 'level.ok', css: 'good' },
  warn: { title: 'level.warn', css: 'warn' },
  degraded: { title: 'level.degraded', css: 'bad' },
} as const;

/** The colour is the view's `level` (level.ts); `data-status` stays /health's status. /health's reasons come first, each its sentence. */
function banner(s: Words, v: StatusView): Html {
  const lead =
    v.level === 'ok'
      ? v.spool.pending === 0
        ? s.w('banner.all_delivered')
        : s.n('banner.on_the_way', v.spool.pending)
      : v.level === 'warn'
        ? s.w('banner.warn')
        : s.w('banner.degraded');
  return html`<section class="banner ${LEVEL[v.level].css}" data-status="${v.status}" data-level="${v.level}">
  <h2><span class="dot"></span>${s.w(LEVEL[v.level].title)}</h2>
  <p>${lead}</p>
  ${
    v.reasons.length + v.attention.length > 0
      ? html`<ul>${v.reasons.map((r) => html`<li data-reason="${r.id}" data-colour="${r.colour}">${r.detail}</li>`)}${v.attention.map((a) => html`<li>${a}</li>`)}</ul>`
      : ''
  }
</section>`;
}

/** Which restaurant this relay serves, and its wall-clock time (by the relay's clock). */
function site(s: Words, v: StatusView): Html {
  const x = v.site;
  return html`<p class="site" id="site">${x.name ? html`<strong data-field="site-name">${x.name}</strong>` : html`<span class="muted">${s.w('page.site_unnamed')}</span>`}
  · <span data-field="site-zone">${x.timezone}</span> · ${s.w('page.local_time')} <time data-field="site-time" datetime="${x.local_time}">${x.local_time_text}</time></p>`;
}

/** The card's colour: down (red) only once the outage is past admin.outage_amber_seconds. */
const cloudClass = (c: StatusView['cloud']): string =>
  c.reachable === null
    ? 'unknown'
    : c.reachable
      ? 'up'
      : c.outage_seconds !== null && c.outage_seconds < c.outage_amber_seconds
        ? 'wait'
        : 'down';

function cards(s: Words, v: StatusView, now: number): Html {
  const c = v.cloud;
  const cloudWord = s.w(c.reachable === null ? 'cloud.untried' : c.reachable ? 'cloud.reachable' : 'cloud.unreachable');
  const oldest = v.lanes.reduce<number | null>(
    (m, l) => (l.oldest_pending_seconds === null ? m : Math.max(m ?? 0, l.oldest_pending_seconds)),
    null,
  );
  const pct = v.spool.max_bytes > 0 ? Math.round((v.spool.bytes / v.spool.max_bytes) * 100) : 0;
  return html`<section class="cards">
  <div class="card cloud-${cloudClass(c)}">
    <h3>${s.w('card.cloud')}</h3>
    <p class="big" data-field="cloud">${cloudWord}</p>
    <p>${c.since ? html`${s.w('cloud.since')} ${s.when(c.since, now)}` : html`<span class="muted">${c.url}</span>`}</p>
    <p>${s.w('cloud.last_delivery')} ${s.when(c.last_delivery_at, now)}</p>
    ${c.last_error ? html`<p class="error">${c.last_error}</p>` : ''}
  </div>
  <div class="card">
    <h3>${s.w('card.waiting')}</h3>
    <p class="big" data-field="pending">${number(s.lang, v.spool.pending)}</p>
    <p>${oldest === null ? html`<span class="muted">${s.w('card.nothing_waits')}</span>` : s.w('card.oldest_for', { d: duration(oldest * 1000) })}</p>
    ${v.spool.pending > 0 ? html`<p data-field="drain">${v.spool.drain}</p>` : ''}
  </div>
  <div class="card">
    <h3>${s.w('card.delivered')}</h3>
    <p class="big" data-field="delivered">${number(s.lang, v.spool.delivered)}</p>
    <p class="muted">${s.w('card.kept_days', { days: v.spool.retention_days })}</p>
  </div>
  <div class="card${v.spool.dead > 0 ? ' alarm' : ''}">
    <h3>${s.w('card.dead')}</h3>
    <p class="big" data-field="dead">${number(s.lang, v.spool.dead)}</p>
    <p class="muted">${s.w('card.dead_hint')}</p>
  </div>
  <div class="card">
    <h3>${s.w('card.spool')}</h3>
    <p class="big">${pct}%</p>
    <p>${s.w('card.spool_of', { used: mb(s, v.spool.bytes), max: mb(s, v.spool.max_bytes) })}</p>
    ${v.spool.error ? html`<p class="error">${v.spool.error}</p>` : ''}
  </div>
</section>`;
}

/** The last 24 hours (activity.ts): the chart, its legend with each series' peak, and times along it. */
function activity(s: Words, v: StatusView): Html {
  const a = v.activity;
  const counts = (b: (typeof a.buckets)[number]) => ({
    from: b.from,
    to: b.to,
    received: b.received,
    delivered: b.delivered,
    refused: b.refused,
  });
  const svg = activitySvg(a, {
    bucket: (b) => s.w('activity.bucket', counts(b)),
    unknown: (b) => s.w('activity.unknown', counts(b)),
  });
  const peak = (k: 'received' | 'delivered' | 'refused') => Math.max(0, ...a.buckets.map((b) => b[k]));
  const ticks = a.buckets.filter((_, i) => i % 24 === 0).map((b) => b.from);
  const key = (k: 'received' | 'delivered' | 'refused') =>
    html`<li><span class="swatch ${k}"></span>${s.w(`activity.${k}`)} <span class="muted">(${s.w('activity.peak', { n: peak(k) })})</span></li>`;
  const since = a.buckets.find((b) => b.counted);
  const last = (k: 'received' | 'delivered') => {
    const b = lastWith(a, k);
    return b ? s.w('activity.last_at', { from: b.from, to: b.to }) : s.w('activity.last_none');
  };
  return html`<section id="activity" data-since-start="${a.since_start}">
  <h2>${s.w('activity.heading')}</h2>
  <p class="hint">${s.w('activity.hint', { minutes: a.bucket_minutes, zone: v.site.timezone })}</p>
  ${a.since_start && since ? html`<p class="hint" data-field="activity-since">${s.w('activity.since_start', { time: since.from })}</p>` : ''}
  <div class="chart">${svg}</div>
  <div class="ticks">${ticks.map((x) => html`<span>${x}</span>`)}<span>${a.buckets.at(-1)?.to ?? ''}</span></div>
  <ul class="legend">${key('received')}${key('delivered')}${key('refused')}</ul>
  <p data-field="activity-last">${s.w('activity.last', { received: last('received'), delivered: last('delivered') })}</p>
</section>`;
}

const dash = html`<span class="muted">—</span>`;

function lanesTable(s: Words, v: StatusView, now: number): Html {
  if (v.lanes.length === 0) return html`<p class="muted">${s.w('lanes.none')}</p>`;
  return html`<table class="lanes">
  <thead><tr><th>${s.w('col.token')}</th><th>${s.w('col.env')}</th><th class="n">${s.w('col.waiting')}</th><th>${s.w('col.oldest_waiting')}</th><th class="n">${s.w('col.delivered')}</th><th class="n">${s.w('col.dead')}</th><th>${s.w('col.why_waiting')}</th></tr></thead>
  <tbody>${v.lanes.map(
    (l) => html`<tr data-lane="${l.token} ${l.env}">
    <td>${tokenCell(l.token, l.token_name)}</td><td><span class="env env-${l.env}">${l.env}</span></td>
    <td class="n" data-field="lane-pending">${number(s.lang, l.pending)}</td><td>${l.oldest_pending_at ? s.when(l.oldest_pending_at, now) : dash}</td>
    <td class="n">${number(s.lang, l.delivered)}</td><td class="n">${number(s.lang, l.dead)}</td>
    <td>${l.waiting_because ?? dash}</td>
  </tr>`,
  )}</tbody>
</table>`;
}

function paused(s: Words, v: StatusView): Html {
  if (v.paused_tokens.length === 0) return html``;
  return html`<section><h2>${s.w('paused.heading')}</h2><table>
  <thead><tr><th>${s.w('col.token')}</th><th>${s.w('col.reason')}</th><th>${s.w('col.next_try')}</th></tr></thead>
  <tbody>${v.paused_tokens.map(
    (p) => html`<tr><td>${tokenCell(p.token, p.token_name)}</td><td>${p.reason}</td><td>${s.at(p.until)}</td></tr>`,
  )}</tbody></table></section>`;
}

const answer = (s: Words, status: number | null) => (status === null ? s.w('word.no_answer') : `HTTP ${status}`);

function deadLetters(s: Words, v: StatusView, now: number): Html {
  const rows = v.dead_letters;
  return html`<section id="dead-letters">
  <div class="section-head"><h2>${s.w('dead.heading')}</h2>
    ${rows.length > 0 ? html`<button type="button" data-action="replay-all">${s.w('dead.replay_all', { n: v.spool.dead })}</button>` : ''}</div>
  ${
    rows.length === 0
      ? html`<p class="muted">${s.w('dead.none')}</p>`
      : html`<p class="hint">${s.w('dead.hint')}</p>
  <table class="events">
  <thead><tr><th>${s.w('col.received')}</th><th>${s.w('col.event_id')}</th><th>${s.w('col.token')}</th><th>${s.w('col.env')}</th><th>${s.w('col.cloud_answer')}</th><th>${s.w('col.warnings')}</th><th></th></tr></thead>
  <tbody>${rows.map(
    (e) => html`<tr data-event-id="${e.id}">
    <td>${s.when(e.received_at, now)}</td><td><code class="id">${e.id}</code></td><td>${tokenCell(e.token, e.token_name)}</td><td>${e.env}</td>
    <td><strong>${answer(s, e.last_status)}</strong>${e.last_error ? html`<div class="error">${e.last_error}</div>` : ''}</td>
    <td>${warningList(s, e.warnings)}</td>
    <td><button type="button" data-action="replay" data-id="${e.id}">${s.w('dead.replay')}</button></td>
  </tr>`,
  )}</tbody></table>`
  }
</section>`;
}

function lastAnswer(s: Words, e: EventView): Html | string {
  if (e.status === 'delivered') return `HTTP ${e.last_status ?? 200}`;
  if (e.attempts === 0) return html`<span class="muted">${s.w('event.not_tried')}</span>`;
  return html`${answer(s, e.last_status)}${e.last_error ? html`<div class="error">${e.last_error}</div>` : ''}`;
}

function recent(s: Words, v: StatusView, now: number): Html {
  return html`<section id="recent">
  <h2>${s.w('recent.heading')}</h2>
  ${
    v.recent.length === 0
      ? html`<p class="muted">${s.w('recent.none', { path: '/webhooks/v1/pos/{token}' })}</p>`
      : html`<table class="events">
  <thead><tr><th>${s.w('col.received')}</th><th>${s.w('col.event_id')}</th><th>${s.w('col.token')}</th><th>${s.w('col.env')}</th><th>${s.w('col.status')}</th><th class="n">${s.w('col.attempts')}</th><th>${s.w('col.last_answer')}</th><th>${s.w('col.warnings')}</th></tr></thead>
  <tbody>${v.recent.map(
    (e) => html`<tr data-event-id="${e.id}" data-status="${e.status}">
    <td>${s.when(e.received_at, now)}</td><td><code class="id">${e.id}</code></td><td>${tokenCell(e.token, e.token_name)}</td><td>${e.env}</td>
    <td><span class="status status-${e.status}">${s.w(STATUS_LABEL[e.status])}</span></td><td class="n">${e.attempts}</td>
    <td>${lastAnswer(s, e)}</td><td>${warningList(s, e.warnings)}</td>
  </tr>`,
  )}</tbody></table>`
  }
</section>`;
}

function warnings(s: Words, v: StatusView): Html {
  const total = v.warnings.reduce((n, x) => n + x.count, 0);
  return html`<section id="warnings">
  <h2>${s.w('warnings.heading')}</h2>
  <p class="hint">${s.h('warnings.hint', { field: html`<code>warnings</code>` })}</p>
  <table><thead><tr><th>${s.w('col.warning')}</th><th class="n">${s.w('col.count')}</th><th>${s.w('col.meaning')}</th></tr></thead>
  <tbody>${v.warnings.map(
    (x) =>
      html`<tr class="${x.count > 0 ? 'hit' : 'zero'}" data-warning="${x.id}"><td><code>${x.id}</code></td><td class="n">${number(s.lang, x.count)}</td><td>${x.help}</td></tr>`,
  )}</tbody></table>
  ${total === 0 ? html`<p class="muted">${s.w('warnings.none')}</p>` : ''}
</section>`;
}

function alerts(s: Words, v: StatusView, now: number): Html {
  const a = v.alerts;
  if (!a) return html``;
  const none = a.receivers.length === 0;
  return html`<section id="alerts">
  <h2>${s.w('alerts.heading')}</h2>
  ${none ? html`<p class="muted">${s.w('alerts.no_receiver')}</p>` : ''}
  ${
    a.firing.length === 0
      ? html`<p class="muted">${s.w('alerts.none_firing')}</p>`
      : html`<table><thead><tr><th>${s.w('col.since')}</th><th>${s.w('col.condition')}</th><th>${s.w('col.message')}</th></tr></thead><tbody>${a.firing.map(
          (f) =>
            html`<tr data-alert="${f.condition}"><td>${s.when(f.since, now)}</td><td><code>${f.condition}</code></td><td>${f.text}</td></tr>`,
        )}</tbody></table>`
  }
  ${
    a.receivers.length === 0
      ? ''
      : html`<table><thead><tr><th>${s.w('col.receiver')}</th><th>${s.w('col.last_send')}</th><th class="n">${s.w('col.failures')}</th><th class="n">${s.w('col.waiting')}</th></tr></thead><tbody>${a.receivers.map(
          (r) =>
            html`<tr data-receiver="${r.kind}"><td>${r.kind} <code>${r.target}</code></td><td>${r.ok === null ? html`<span class="muted">${s.w('alerts.nothing_sent')}</span>` : r.ok ? s.w('word.ok') : html`<span class="error">${r.last_error ?? s.w('word.failed')}</span>`}</td><td class="n">${r.failures}</td><td class="n">${r.queued}</td></tr>`,
        )}</tbody></table>`
  }
  ${
    a.last_sent.length === 0
      ? ''
      : html`<h3>${s.w('alerts.last_sent')}</h3><ul>${a.last_sent.map((m) => html`<li>${s.when(m.at, now)} <code>${m.condition}</code> ${m.state === 'firing' ? s.w('alerts.state_firing') : m.state === 'resolved' ? s.w('alerts.state_resolved') : m.state}: ${m.text}</li>`)}</ul>`
  }
</section>`;
}

/** Pushed telemetry: shown, never an alarm (a collector that is down does not stop events). */
function telemetry(s: Words, v: StatusView, now: number): Html {
  const x = v.telemetry;
  if (!x) return html``;
  return html`<section id="telemetry">
  <h2>${s.w('telemetry.heading')}</h2>
  <p>${s.h('telemetry.pushed', { endpoint: html`<code>${x.endpoint}</code>`, every: duration(x.interval_seconds * 1000), site: html`<code>${x.site_id}</code>` })}</p>
  <table><thead><tr><th>${s.w('col.signal')}</th><th>${s.w('col.last_push')}</th><th class="n">${s.w('col.sent')}</th><th class="n">${s.w('col.failed')}</th></tr></thead><tbody>${x.signals.map(
    (g) =>
      html`<tr data-signal="${g.signal}"><td>${g.signal}</td><td>${g.error ? html`<span class="error">${s.w('telemetry.failing_since')} ${s.when(g.failing_since!, now)}: ${g.error}</span>` : g.last_ok_at ? html`${s.w('telemetry.ok')} ${s.when(g.last_ok_at, now)}` : html`<span class="muted">${s.w('telemetry.nothing_pushed')}</span>`}</td><td class="n">${g.sent}</td><td class="n">${g.failed}</td></tr>`,
  )}</tbody></table>
  ${x.logs_dropped > 0 ? html`<p class="muted">${s.w('telemetry.dropped', { n: x.logs_dropped })}</p>` : ''}
</section>`;
}

function logins(s: Words, v: StatusView, now: number): Html {
  const l = v.admin_logins;
  if (!l || (l.failures === 0 && l.refused === 0)) return html``;
  return html`<section id="admin-logins">
  <h2>${s.w('logins.heading')}</h2>
  <p>${s.n('logins.counts', l.blocks, { wrong: l.failures, refused: l.refused })}${l.last_failure ? s.h('logins.last_from', { client: html`<code>${l.last_failure.client}</code>` }) : ''}${l.last_failure ? html` ${s.when(l.last_failure.at, now)}` : ''}.</p>
  ${l.blocked.length === 0 ? '' : html`<ul>${l.blocked.map((b) => html`<li data-blocked="${b.client}">${s.h('logins.blocked_until', { client: html`<code>${b.client}</code>`, until: s.at(b.until), n: b.failures })}</li>`)}</ul>`}
</section>`;
}

function config(s: Words, v: StatusView): Html {
  return html`<section id="config">
  <div class="section-head"><h2>${s.w('config.heading')}</h2><button type="button" data-action="reload">${s.w('config.reload')}</button></div>
  <p class="hint">${s.w('config.hint')}</p>
  <pre>${JSON.stringify(v.config, null, 2)}</pre>
</section>`;
}

/** The part of the page that refreshes. */
export function renderLive(v: StatusView): Html {
  const now = Date.parse(v.generated_at);
  const s = wordsIn(v.language, v.site.timezone);
  return html`${site(s, v)}
${banner(s, v)}
${cards(s, v, now)}
${activity(s, v)}
<section id="lanes"><h2>${s.w('lanes.heading')}</h2>${lanesTable(s, v, now)}</section>
${paused(s, v)}
${alerts(s, v, now)}
${deadLetters(s, v, now)}
${recent(s, v, now)}
${warnings(s, v)}
${refusalsSection(v.refusals, v.site.timezone, now, v.language)}
${logins(s, v, now)}
${telemetry(s, v, now)}
${config(s, v)}`;
}

/** What the page's script says (assets.ts), in the page's language: read from <body data-words>, never run. */
const SCRIPT_WORDS = [
  'js.updated',
  'js.unreachable',
  'js.replayed',
  'js.confirm_replay_all',
  'js.replayed_all',
  'js.reloaded',
  'js.reload_refused',
  'js.request_failed',
] as const satisfies readonly MessageKey[];

export function renderPage(v: StatusView): Html {
  const s = wordsIn(v.language, v.site.timezone);
  const script = Object.fromEntries(SCRIPT_WORDS.map((k) => [k.slice(3), s.w(k)]));
  return html`<!doctype html>
<html lang="${v.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.w('page.title')}${v.site.name ? ` · ${v.site.name}` : ''}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
<script src="/admin/app.js" defer></script>
</head>
<body data-words="${JSON.stringify(script)}">
<header class="top">
  <h1>${s.w('page.heading')}</h1>
  <span class="muted">${s.w('page.version', { version: v.version })}</span>
  <span id="updated" class="muted" data-generated="${v.generated_at}">${s.w('page.as_of')} <time datetime="${v.generated_at}">${v.generated_at}</time></span>
</header>
<div id="flash" role="status" aria-live="polite" hidden></div>
<main id="live">
${renderLive(v)}
</main>
<footer class="muted">${s.w('page.footer_json')}: <a href="/admin/api/status">/admin/api/status</a> · Prometheus: <a href="/metrics">/metrics</a> · ${s.w('page.footer_health')}: <a href="/health">/health</a></footer>
</body>
</html>`;
}
