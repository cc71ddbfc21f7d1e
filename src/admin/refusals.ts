import { ACTIVE_MS, clockTime, people, REFUSALS, type RefusalTally, refusalLine } from '../http/index.ts';
import { type Language, type MessageKey, t } from '../i18n/index.ts';
import { maskToken } from '../lib/mask.ts';
import { iso } from '../lib/time.ts';
import { type Html, html } from './html.ts';

/**
 * The webhooks the relay refused, as the status page and GET
 * /admin/api/status show them, read from ingest's refusal tally
 * (http/tally.ts). A POS sending a wrong token or broken JSON gets its 4xx
 * and retries; nobody sees that at the POS, so the page says it.
 */

/** Active kinds shown at the top of the page; the rest are in the table below it. */
const ATTENTION_LINES = 5;
/** Token rows in the table. */
const TABLE_ROWS = 20;

export interface RefusalEntryView {
  reason: string;
  status: number;
  /** First 8 characters, "(no token)", or "other" (past the 50 tokens kept per reason). */
  token: string;
  client: string | null;
  count: number;
  /** Of which in the last 5 minutes. */
  last_5_minutes: number;
  first_at: string;
  last_at: string;
  /** The page's sentence: "A POS is sending an unknown or inactive token 7f3c2a91…: 3,366,426 times since 14:02". */
  text: string;
}

export interface RefusalsView {
  /** Refused in the last 10 minutes, one per kind and token, most refused first. */
  active: RefusalEntryView[];
  /** Since start, every reason (0 included). */
  reasons: { reason: string; status: number; count: number; first_at: string | null; last_at: string | null }[];
  /** Since start, per kind and token, most refused first (at most 20). */
  tokens: RefusalEntryView[];
}

/**
 * The view of `tally` at wall time `now`, times for people in `zone` (null:
 * UTC); a configured token (an inactive one sending) is named as in the config.
 */
export function refusalsView(
  tally: RefusalTally | null,
  zone: string | null,
  now: number,
  tokens: readonly { token: string; name: string }[] = [],
  lang: Language = 'en',
): RefusalsView {
  if (!tally) {
    return {
      active: [],
      reasons: REFUSALS.map((r) => ({ reason: r.id, status: r.status, count: 0, first_at: null, last_at: null })),
      tokens: [],
    };
  }
  const names = new Map(tokens.filter((t) => t.name).map((t) => [maskToken(t.token), t.name]));
  const entry = (e: ReturnType<RefusalTally['entries']>[number]): RefusalEntryView => ({
    reason: e.reason,
    status: e.status,
    token: e.token,
    client: e.client,
    count: e.count,
    last_5_minutes: e.recent,
    first_at: iso(e.firstAt)!,
    last_at: iso(e.lastAt)!,
    text: refusalLine(e, zone, now, names.get(e.token), lang),
  });
  return {
    active: tally.active(ACTIVE_MS).map(entry),
    reasons: tally.reasonCounts().map((r) => ({
      reason: r.reason,
      status: r.status,
      count: r.count,
      first_at: iso(r.firstAt),
      last_at: iso(r.lastAt),
    })),
    tokens: tally.entries().slice(0, TABLE_ROWS).map(entry),
  };
}

/** The banner's lines for refusals still arriving, at most ATTENTION_LINES of them. */
export function refusalAttention(v: RefusalsView, lang: Language = 'en'): string[] {
  const lines = v.active.slice(0, ATTENTION_LINES).map((e) => e.text);
  const more = v.active.length - lines.length;
  if (more > 0) lines.push(t(lang, 'refusal.more', { n: more }));
  return lines;
}

/** The page's section: every reason since start, then the tokens behind them. */
export function refusalsSection(v: RefusalsView, zone: string | null, now: number, lang: Language = 'en'): Html {
  const total = v.reasons.reduce((n, r) => n + r.count, 0);
  const w = (key: MessageKey) => t(lang, key);
  // The hint's two placeholders are code, the rest its words.
  const hint = w('refusals.hint')
    .split(/(\{detail\}|\{metric\})/)
    .map((part) =>
      part === '{detail}'
        ? html`<code>{"detail"}</code>`
        : part === '{metric}'
          ? html`<code>relay_refusals_total</code>`
          : part,
    );
  return html`<section id="refusals">
  <h2>${w('refusals.heading')}</h2>
  <p class="hint">${hint}</p>
  <table><thead><tr><th>${w('col.reason')}</th><th class="n">${w('col.http_status')}</th><th class="n">${w('col.count')}</th><th>${w('col.last')}</th></tr></thead>
  <tbody>${v.reasons.map(
    (r) =>
      html`<tr class="${r.count > 0 ? 'hit' : 'zero'}" data-refusal="${r.reason}"><td><code>${r.reason}</code></td><td class="n">${r.status}</td><td class="n">${people(r.count, lang)}</td><td>${r.last_at ? clockTime(Date.parse(r.last_at), zone, now, lang) : ''}</td></tr>`,
  )}</tbody></table>
  ${
    total === 0
      ? html`<p class="muted">${w('refusals.none')}</p>`
      : html`<ul class="refusals">${v.tokens.map((e) => html`<li data-refusal="${e.reason}" data-token="${e.token}">${e.text}</li>`)}</ul>`
  }
</section>`;
}
