import { duration } from '../lib/time.ts';
import { type Html, html } from './html.ts';
import { refusalsSection } from './refusals.ts';
import type { EventView, StatusView } from './view.ts';

/**
 * The status page: server-rendered HTML, every value escaped by `html`. The
 * page's script (/admin/app.js) fetches the same fragment from /admin/live
 * every 2 s and swaps it in, so there is one renderer, here.
 */

const when = (at: string | null, now: number, none = 'never'): Html => {
  if (at === null) return html`<span class="muted">${none}</span>`;
  const ms = now - Date.parse(at);
  const words = ms < 1000 ? 'just now' : `${duration(ms)} ago`;
  return html`<time datetime="${at}" title="${at}">${words}</time>`;
};

const mb = (bytes: number): string => {
  const v = bytes / (1024 * 1024);
  return `${v < 10 ? v.toFixed(2) : v.toFixed(0)} MB`;
};

const tokenCell = (token: string, name: string) =>
  html`<span class="token"><code>${token}</code>${name ? html` <span class="muted">${name}</span>` : ''}</span>`;

const warningList = (w: string[]) =>
  w.length === 0
    ? html`<span class="muted">none</span>`
    : html`<ul class="warnings">${w.map((x) => html`<li>${x}</li>`)}</ul>`;

const STATUS_LABEL = { pending: 'waiting', delivered: 'delivered', dead: 'dead letter' } as const;

const LEVEL = {
  ok: { title: 'Healthy', css: 'good' },
  warn: { title: 'Running, needs attention', css: 'warn' },
  degraded: { title: 'Degraded', css: 'bad' },
} as const;

/** The colour is the view's `level` (level.ts); `data-status` stays /health's status. /health's reasons come first, each its sentence. */
function banner(v: StatusView): Html {
  const lead =
    v.level === 'ok'
      ? v.spool.pending === 0
        ? 'The cloud answers and nothing waits: every event received has been delivered or is listed below.'
        : `The cloud answers; ${v.spool.pending} event${v.spool.pending === 1 ? ' is' : 's are'} on the way (see "Waiting per token" below).`
      : v.level === 'warn'
        ? 'The relay takes events and keeps them, but something below needs a look.'
        : 'The relay keeps taking events, but delivery or storage has a problem:';
  return html`<section class="banner ${LEVEL[v.level].css}" data-status="${v.status}" data-level="${v.level}">
  <h2><span class="dot"></span>${LEVEL[v.level].title}</h2>
  <p>${lead}</p>
  ${
    v.reasons.length + v.attention.length > 0
      ? html`<ul>${v.reasons.map((r) => html`<li data-reason="${r.id}" data-colour="${r.colour}">${r.detail}</li>`)}${v.attention.map((a) => html`<li>${a}</li>`)}</ul>`
      : ''
  }
</section>`;
}

/** Which restaurant this relay serves, and its wall-clock time (by the relay's clock). */
function site(v: StatusView): Html {
  const s = v.site;
  return html`<p class="site" id="site">${s.name ? html`<strong data-field="site-name">${s.name}</strong>` : html`<span class="muted">no [site] name set</span>`}
  · <span data-field="site-zone">${s.timezone}</span> · local time <time data-field="site-time" datetime="${s.local_time}">${s.local_time_text}</time></p>`;
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

function cards(v: StatusView, now: number): Html {
  const c = v.cloud;
  const cloudWord = c.reachable === null ? 'not tried yet' : c.reachable ? 'reachable' : 'unreachable';
  const oldest = v.lanes.reduce<number | null>(
    (m, l) => (l.oldest_pending_seconds === null ? m : Math.max(m ?? 0, l.oldest_pending_seconds)),
    null,
  );
  const pct = v.spool.max_bytes > 0 ? Math.round((v.spool.bytes / v.spool.max_bytes) * 100) : 0;
  return html`<section class="cards">
  <div class="card cloud-${cloudClass(c)}">
    <h3>Cloud</h3>
    <p class="big" data-field="cloud">${cloudWord}</p>
    <p>${c.since ? html`since ${when(c.since, now)}` : html`<span class="muted">${c.url}</span>`}</p>
    <p>last delivery ${when(c.last_delivery_at, now)}</p>
    ${c.last_error ? html`<p class="error">${c.last_error}</p>` : ''}
  </div>
  <div class="card">
    <h3>Waiting</h3>
    <p class="big" data-field="pending">${v.spool.pending}</p>
    <p>${oldest === null ? html`<span class="muted">nothing waits</span>` : html`oldest for ${duration(oldest * 1000)}`}</p>
    ${v.spool.pending > 0 ? html`<p data-field="drain">${v.spool.drain}</p>` : ''}
  </div>
  <div class="card">
    <h3>Delivered</h3>
    <p class="big" data-field="delivered">${v.spool.delivered}</p>
    <p class="muted">kept ${v.spool.retention_days} days after delivery, then deleted</p>
  </div>
  <div class="card${v.spool.dead > 0 ? ' alarm' : ''}">
    <h3>Dead letters</h3>
    <p class="big" data-field="dead">${v.spool.dead}</p>
    <p class="muted">rejected by the cloud; replay after a fix</p>
  </div>
  <div class="card">
    <h3>Spool</h3>
    <p class="big">${pct}%</p>
    <p>${mb(v.spool.bytes)} of ${mb(v.spool.max_bytes)}</p>
    ${v.spool.error ? html`<p class="error">${v.spool.error}</p>` : ''}
  </div>
</section>`;
}

function lanesTable(v: StatusView, now: number): Html {
  if (v.lanes.length === 0) return html`<p class="muted">No events yet.</p>`;
  return html`<table class="lanes">
  <thead><tr><th>Token</th><th>Env</th><th class="n">Waiting</th><th>Oldest waiting</th><th class="n">Delivered</th><th class="n">Dead</th><th>Why waiting</th></tr></thead>
  <tbody>${v.lanes.map(
    (l) => html`<tr data-lane="${l.token} ${l.env}">
    <td>${tokenCell(l.token, l.token_name)}</td><td><span class="env env-${l.env}">${l.env}</span></td>
    <td class="n" data-field="lane-pending">${l.pending}</td><td>${l.oldest_pending_at ? when(l.oldest_pending_at, now) : html`<span class="muted">—</span>`}</td>
    <td class="n">${l.delivered}</td><td class="n">${l.dead}</td>
    <td>${l.waiting_because ?? html`<span class="muted">—</span>`}</td>
  </tr>`,
  )}</tbody>
</table>`;
}

function paused(v: StatusView): Html {
  if (v.paused_tokens.length === 0) return html``;
  return html`<section><h2>Paused tokens</h2><table>
  <thead><tr><th>Token</th><th>Reason</th><th>Next try</th></tr></thead>
  <tbody>${v.paused_tokens.map(
    (p) =>
      html`<tr><td>${tokenCell(p.token, p.token_name)}</td><td>${p.reason}</td><td><time datetime="${p.until}">${p.until}</time></td></tr>`,
  )}</tbody></table></section>`;
}

function deadLetters(v: StatusView, now: number): Html {
  const rows = v.dead_letters;
  return html`<section id="dead-letters">
  <div class="section-head"><h2>Dead letters</h2>
    ${rows.length > 0 ? html`<button type="button" data-action="replay-all">Replay all (${v.spool.dead})</button>` : ''}</div>
  ${
    rows.length === 0
      ? html`<p class="muted">None: the cloud has accepted everything it was sent.</p>`
      : html`<p class="hint">The cloud refused these (400, 413, 422...). Its answer says why. Fix the POS or the cloud side, then Replay: the event goes back to the front of its queue.</p>
  <table class="events">
  <thead><tr><th>Received</th><th>Event id</th><th>Token</th><th>Env</th><th>Cloud's answer</th><th>Warnings</th><th></th></tr></thead>
  <tbody>${rows.map(
    (e) => html`<tr data-event-id="${e.id}">
    <td>${when(e.received_at, now)}</td><td><code class="id">${e.id}</code></td><td>${tokenCell(e.token, e.token_name)}</td><td>${e.env}</td>
    <td><strong>${e.last_status === null ? 'no answer' : `HTTP ${e.last_status}`}</strong>${e.last_error ? html`<div class="error">${e.last_error}</div>` : ''}</td>
    <td>${warningList(e.warnings)}</td>
    <td><button type="button" data-action="replay" data-id="${e.id}">Replay</button></td>
  </tr>`,
  )}</tbody></table>`
  }
</section>`;
}

function lastAnswer(e: EventView): Html | string {
  if (e.status === 'delivered') return `HTTP ${e.last_status ?? 200}`;
  if (e.attempts === 0) return html`<span class="muted">not tried yet</span>`;
  return html`${e.last_status === null ? 'no answer' : `HTTP ${e.last_status}`}${e.last_error ? html`<div class="error">${e.last_error}</div>` : ''}`;
}

function recent(v: StatusView, now: number): Html {
  return html`<section id="recent">
  <h2>Recent events</h2>
  ${
    v.recent.length === 0
      ? html`<p class="muted">No events yet. The POS posts to /webhooks/v1/pos/{token}.</p>`
      : html`<table class="events">
  <thead><tr><th>Received</th><th>Event id</th><th>Token</th><th>Env</th><th>Status</th><th class="n">Attempts</th><th>Last answer</th><th>Warnings</th></tr></thead>
  <tbody>${v.recent.map(
    (e) => html`<tr data-event-id="${e.id}" data-status="${e.status}">
    <td>${when(e.received_at, now)}</td><td><code class="id">${e.id}</code></td><td>${tokenCell(e.token, e.token_name)}</td><td>${e.env}</td>
    <td><span class="status status-${e.status}">${STATUS_LABEL[e.status]}</span></td><td class="n">${e.attempts}</td>
    <td>${lastAnswer(e)}</td><td>${warningList(e.warnings)}</td>
  </tr>`,
  )}</tbody></table>`
  }
</section>`;
}

function warnings(v: StatusView): Html {
  const total = v.warnings.reduce((n, w) => n + w.count, 0);
  return html`<section id="warnings">
  <h2>Payload warnings since start</h2>
  <p class="hint">The cloud answers 200 to these payloads, but its guide says the data may never reach the dashboard. The POS is told in the answer's <code>warnings</code>.</p>
  <table><thead><tr><th>Warning</th><th class="n">Count</th><th>What it means</th></tr></thead>
  <tbody>${v.warnings.map(
    (w) =>
      html`<tr class="${w.count > 0 ? 'hit' : 'zero'}" data-warning="${w.id}"><td><code>${w.id}</code></td><td class="n">${w.count}</td><td>${w.help}</td></tr>`,
  )}</tbody></table>
  ${total === 0 ? html`<p class="muted">No warnings: every payload had what the guide asks for.</p>` : ''}
</section>`;
}

function alerts(v: StatusView, now: number): Html {
  const a = v.alerts;
  if (!a) return html``;
  const none = a.receivers.length === 0;
  return html`<section id="alerts">
  <h2>Alerts</h2>
  ${none ? html`<p class="muted">No receiver configured ([alerts] webhook_url or smtp_url): nobody is told when the relay needs a person.</p>` : ''}
  ${
    a.firing.length === 0
      ? html`<p class="muted">Nothing firing.</p>`
      : html`<table><thead><tr><th>Since</th><th>Condition</th><th>Message</th></tr></thead><tbody>${a.firing.map(
          (f) =>
            html`<tr data-alert="${f.condition}"><td>${when(f.since, now)}</td><td><code>${f.condition}</code></td><td>${f.text}</td></tr>`,
        )}</tbody></table>`
  }
  ${
    a.receivers.length === 0
      ? ''
      : html`<table><thead><tr><th>Receiver</th><th>Last send</th><th class="n">Failures</th><th class="n">Waiting</th></tr></thead><tbody>${a.receivers.map(
          (r) =>
            html`<tr data-receiver="${r.kind}"><td>${r.kind} <code>${r.target}</code></td><td>${r.ok === null ? html`<span class="muted">nothing sent yet</span>` : r.ok ? 'ok' : html`<span class="error">${r.last_error ?? 'failed'}</span>`}</td><td class="n">${r.failures}</td><td class="n">${r.queued}</td></tr>`,
        )}</tbody></table>`
  }
  ${
    a.last_sent.length === 0
      ? ''
      : html`<h3>Last sent</h3><ul>${a.last_sent.map((m) => html`<li>${when(m.at, now)} <code>${m.condition}</code> ${m.state}: ${m.text}</li>`)}</ul>`
  }
</section>`;
}

/** Pushed telemetry: shown, never an alarm (a collector that is down does not stop events). */
function telemetry(v: StatusView, now: number): Html {
  const t = v.telemetry;
  if (!t) return html``;
  return html`<section id="telemetry">
  <h2>Telemetry</h2>
  <p>Pushed over OTLP/HTTP to <code>${t.endpoint}</code> every ${duration(t.interval_seconds * 1000)} as site <code>${t.site_id}</code>.</p>
  <table><thead><tr><th>Signal</th><th>Last push</th><th class="n">Sent</th><th class="n">Failed</th></tr></thead><tbody>${t.signals.map(
    (s) =>
      html`<tr data-signal="${s.signal}"><td>${s.signal}</td><td>${s.error ? html`<span class="error">failing since ${when(s.failing_since!, now)}: ${s.error}</span>` : s.last_ok_at ? html`ok ${when(s.last_ok_at, now)}` : html`<span class="muted">nothing pushed yet</span>`}</td><td class="n">${s.sent}</td><td class="n">${s.failed}</td></tr>`,
  )}</tbody></table>
  ${t.logs_dropped > 0 ? html`<p class="muted">${t.logs_dropped} log warning(s) and error(s) not pushed (rate limit or failed pushes).</p>` : ''}
</section>`;
}

function logins(v: StatusView, now: number): Html {
  const l = v.admin_logins;
  if (!l || (l.failures === 0 && l.refused === 0)) return html``;
  return html`<section id="admin-logins">
  <h2>Wrong admin passwords since start</h2>
  <p>${l.failures} wrong, ${l.refused} more refused unchecked (429: the address had to wait), ${l.blocks} block${l.blocks === 1 ? '' : 's'}${l.last_failure ? html`; the last from <code>${l.last_failure.client}</code> ${when(l.last_failure.at, now)}` : ''}.</p>
  ${l.blocked.length === 0 ? '' : html`<ul>${l.blocked.map((b) => html`<li data-blocked="${b.client}"><code>${b.client}</code> blocked until <time datetime="${b.until}">${b.until}</time> (${b.failures} wrong passwords)</li>`)}</ul>`}
</section>`;
}

function config(v: StatusView): Html {
  return html`<section id="config">
  <div class="section-head"><h2>Configuration in force</h2><button type="button" data-action="reload">Reload config</button></div>
  <p class="hint">Re-reads the config file: tokens and limits change at once. A file with mistakes is refused, its problems are shown, and this configuration stays. Secrets are masked.</p>
  <pre>${JSON.stringify(v.config, null, 2)}</pre>
</section>`;
}

/** The part of the page that refreshes. */
export function renderLive(v: StatusView): Html {
  const now = Date.parse(v.generated_at);
  return html`${site(v)}
${banner(v)}
${cards(v, now)}
<section id="lanes"><h2>Waiting per token and environment</h2>${lanesTable(v, now)}</section>
${paused(v)}
${alerts(v, now)}
${deadLetters(v, now)}
${recent(v, now)}
${warnings(v)}
${refusalsSection(v.refusals, v.site.timezone, now)}
${logins(v, now)}
${telemetry(v, now)}
${config(v)}`;
}

export function renderPage(v: StatusView): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relay status${v.site.name ? ` · ${v.site.name}` : ''}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
<script src="/admin/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>EmiliaVision relay</h1>
  <span class="muted">version ${v.version}</span>
  <span id="updated" class="muted" data-generated="${v.generated_at}">as of <time datetime="${v.generated_at}">${v.generated_at}</time></span>
</header>
<div id="flash" role="status" aria-live="polite" hidden></div>
<main id="live">
${renderLive(v)}
</main>
<footer class="muted">JSON: <a href="/admin/api/status">/admin/api/status</a> · Prometheus: <a href="/metrics">/metrics</a> · Health: <a href="/health">/health</a></footer>
</body>
</html>`;
}
