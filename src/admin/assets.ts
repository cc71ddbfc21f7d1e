/**
 * The status page's script and style, served from /admin/app.js and
 * /admin/app.css so the Content-Security-Policy can forbid inline code. They
 * are strings in the source, so they are inside the compiled binary; no build
 * step. The script never builds HTML from data: the live fragment comes
 * escaped from the server, and messages are set with textContent.
 */

export const APP_JS = `'use strict';
(function () {
  var live = document.getElementById('live');
  var flash = document.getElementById('flash');
  var updated = document.getElementById('updated');
  var busy = false;
  // The page's words in [site] language, put there by the server (page.ts SCRIPT_WORDS).
  var words = {};
  try { words = JSON.parse(document.body.getAttribute('data-words') || '{}'); } catch (e) { words = {}; }
  var lang = document.documentElement.lang || 'en';
  function w(key, params) {
    var text = words[key] || key;
    return text.replace(/\\{(\\w+)\\}/g, function (all, name) {
      return params && params[name] !== undefined ? String(params[name]) : all;
    });
  }
  function clock(d) { try { return d.toLocaleTimeString(lang); } catch (e) { return d.toLocaleTimeString(); } }

  // Every request goes to location.origin + path. A path alone resolves
  // against the page's URL, and a page opened as http://admin:pw@host/admin
  // keeps "admin:pw@" in it: Chromium then refuses the fetch ("a URL that
  // includes credentials") and the page stops refreshing. The origin never
  // carries userinfo; the browser still sends the login it used for the page.
  function here(path) { return location.origin + path; }

  function localTimes() {
    document.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d)) { try { t.title = d.toLocaleString(lang); } catch (e) { t.title = d.toLocaleString(); } }
    });
  }

  var flashTimer = null;
  function say(kind, text, items, fade) {
    clearTimeout(flashTimer);
    flash.hidden = false;
    flash.className = 'flash ' + kind;
    flash.textContent = text;
    if (items && items.length) {
      var ul = document.createElement('ul');
      items.forEach(function (p) {
        var li = document.createElement('li');
        li.textContent = p;
        ul.appendChild(li);
      });
      flash.appendChild(ul);
    }
    // Good news fades after a while; a problem stays until the next action.
    if (fade) flashTimer = setTimeout(function () { flash.hidden = true; }, 15000);
  }

  async function refresh() {
    if (busy) return;
    try {
      var res = await fetch(here('/admin/live'), { cache: 'no-store', headers: { accept: 'text/html' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      var text = await res.text();
      if (busy) return;
      var open = Array.from(live.querySelectorAll('details[open]')).map(function (d) { return d.id; });
      live.innerHTML = text; // the server's escaped fragment, same origin
      open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
      localTimes();
      updated.textContent = w('updated', { time: clock(new Date()) });
      document.body.classList.remove('stale');
    } catch (e) {
      console.warn('status page refresh failed: ' + e.message); // for whoever opens the console
      updated.textContent = w('unreachable', { error: e.message });
      document.body.classList.add('stale');
    }
  }

  async function post(url) {
    var res = await fetch(here(url), { method: 'POST', headers: { 'X-Relay-Admin': '1' } });
    var body = {};
    try { body = await res.json(); } catch (e) { body = { detail: 'HTTP ' + res.status }; }
    return { ok: res.ok, status: res.status, body: body };
  }

  async function act(btn) {
    var action = btn.getAttribute('data-action');
    var r;
    busy = true;
    btn.disabled = true;
    try {
      if (action === 'replay') {
        var id = btn.getAttribute('data-id');
        r = await post('/admin/api/events/' + encodeURIComponent(id) + '/replay');
        if (r.ok) say('good', w('replayed', { id: id }), null, true);
      } else if (action === 'replay-all') {
        if (!confirm(w('confirm_replay_all'))) return;
        r = await post('/admin/api/replay-dead');
        if (r.ok) say('good', w('replayed_all', { n: r.body.replayed }), null, true);
      } else if (action === 'reload') {
        r = await post('/admin/api/reload');
        if (r.ok) say('good', w('reloaded', { n: r.body.tokens }), null, true);
        else if (r.body.problems) say('bad', w('reload_refused'), r.body.problems);
      } else {
        return;
      }
      if (!r.ok && !(action === 'reload' && r.body.problems)) say('bad', r.body.detail || ('HTTP ' + r.status));
    } catch (e) {
      say('bad', w('request_failed', { error: e.message }));
    } finally {
      busy = false;
      btn.disabled = false;
    }
    refresh();
  }

  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-action]');
    if (btn) act(btn);
  });
  localTimes();
  var generated = new Date(updated.getAttribute('data-generated'));
  if (!isNaN(generated)) updated.textContent = w('updated', { time: clock(generated) });
  document.documentElement.setAttribute('data-live', '1');
  setInterval(refresh, 2000);
})();
`;

export const APP_CSS = `
:root { --fg: #1d2330; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --card: #fff;
  --good: #15803d; --good-bg: #ecfdf3; --warn: #b45309; --warn-bg: #fffbeb; --bad: #b91c1c; --bad-bg: #fef2f2; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
body.stale #live { opacity: .55; }
header.top { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: #111827; color: #f9fafb; }
header.top h1 { font-size: 18px; margin: 0; font-weight: 600; }
header.top .muted { color: #9ca3af; }
#updated { margin-left: auto; }
p.site { margin: 14px 0 0; color: var(--muted); }
p.site strong { color: var(--fg); font-size: 15px; }
main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
footer { padding-bottom: 32px; }
footer a { color: var(--accent); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 6px; font-weight: 600; }
.section-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 6px; }
.section-head h2 { margin: 0; }
.muted { color: var(--muted); }
.hint { color: var(--muted); margin: 0 0 10px; }
.error { color: var(--bad); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-word; white-space: pre-wrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
code.id { font-size: 11px; color: #374151; white-space: nowrap; }
.token { white-space: nowrap; }
.token .muted { white-space: normal; }
pre { background: #f9fafb; border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow: auto; max-height: 420px; margin: 0; }
.banner { border-width: 1px 1px 1px 6px; }
.banner h2 { font-size: 20px; display: flex; align-items: center; gap: 10px; margin-bottom: 4px; }
.banner p { margin: 0; }
.banner ul { margin: 8px 0 0; padding-left: 20px; }
.banner li { margin: 3px 0; }
.banner .dot { width: 12px; height: 12px; border-radius: 50%; display: inline-block; }
.banner.good { background: var(--good-bg); border-color: var(--good); }
.banner.good .dot { background: var(--good); }
.banner.warn { background: var(--warn-bg); border-color: var(--warn); }
.banner.warn .dot { background: var(--warn); }
.banner.bad { background: var(--bad-bg); border-color: var(--bad); }
.banner.bad .dot { background: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.card p { margin: 2px 0; }
.card .big { font-size: 28px; font-weight: 600; line-height: 1.2; }
.card.alarm .big { color: var(--bad); }
.cloud-up .big { color: var(--good); }
.cloud-down .big { color: var(--bad); }
.cloud-wait .big { color: var(--warn); }
.cloud-unknown .big { color: var(--muted); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tbody tr:last-child td { border-bottom: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.zero td { color: var(--muted); }
tr.hit td:nth-child(2) { color: var(--warn); font-weight: 600; }
ul.warnings { margin: 0; padding-left: 16px; color: var(--warn); font-size: 12px; }
.status { white-space: nowrap; display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.status-delivered { background: var(--good-bg); color: var(--good); }
.status-pending { background: #eff6ff; color: var(--accent); }
.status-dead { background: var(--bad-bg); color: var(--bad); }
.env { font-size: 12px; padding: 1px 6px; border-radius: 4px; background: #f3f4f6; }
.env-dev { background: #f5f3ff; color: #6d28d9; }
button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 6px; padding: 6px 14px; cursor: pointer; }
button:hover { background: #1e40af; }
button:disabled { opacity: .5; cursor: wait; }
.flash { max-width: 1232px; margin: 16px auto 0; padding: 10px 16px; border-radius: 8px; border: 1px solid; }
.flash ul { margin: 6px 0 0; padding-left: 20px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.flash.good { background: var(--good-bg); border-color: var(--good); color: var(--good); }
.flash.bad { background: var(--bad-bg); border-color: var(--bad); color: var(--bad); }
.chart { width: 100%; }
.activity-chart { display: block; width: 100%; height: 160px; }
.activity-chart .hit { fill: transparent; }
.activity-chart .unk { fill: #eef0f3; }
.activity-chart .axis { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
.activity-chart .received, .legend .received { fill: var(--accent); background: var(--accent); }
.activity-chart .delivered, .legend .delivered { fill: var(--good); background: var(--good); }
.activity-chart .refused, .legend .refused { fill: var(--bad); background: var(--bad); }
.activity-chart .b:hover .hit { fill: #f3f4f6; }
.ticks { display: flex; justify-content: space-between; font-size: 11px; color: var(--muted); font-variant-numeric: tabular-nums; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0 0; padding: 0; font-size: 13px; }
.legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
/* A phone: the page's margins give their width to the content (the chart's 96 intervals most of all). */
@media (max-width: 480px) { main, footer { padding: 0 8px; } section { padding: 12px 10px; } }
`;
