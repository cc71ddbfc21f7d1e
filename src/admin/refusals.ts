import { ACTIVE_MS, clockTime, people, REFUSALS, type RefusalTally, refusalLine } from '../http/index.ts';
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
    text: refusalLine(e, zone, now, names.get(e.token)),
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
export function refusalAttention(v: RefusalsView): string[] {
  const lines = v.active.slice(0, ATTENTION_LINES).map((e) => e.text);
  const more = v.active.length - lines.length;
  if (more > 0) lines.push(`… and ${more} more kinds of refused webhooks: see "Refused webhooks" below.`);
  return lines;
}

/** The page's section: every reason since start, then the tokens behind them. */
export function refusalsSection(v: RefusalsView, zone: string | null, now: number): Html {
  const total = v.reasons.reduce((n, r) => n + r.count, 0);
  return html`<section id="refusals">
  <h2>Refused webhooks since start</h2>
  <p class="hint">The POS is answered with the status and a <code>{"detail"}</code>; it is not told again here. Counts are also on /metrics as <code>relay_refusals_total</code>.</p>
  <table><thead><tr><th>Reason</th><th class="n">Status</th><th class="n">Count</th><th>Last</th></tr></thead>
  <tbody>${v.reasons.map(
    (r) =>
      html`<tr class="${r.count > 0 ? 'hit' : 'zero'}" data-refusal="${r.reason}"><td><code>${r.reason}</code></td><td class="n">${r.status}</td><td class="n">${people(r.count)}</td><td>${r.last_at ? clockTime(Date.parse(r.last_at), zone, now) : ''}</td></tr>`,
  )}</tbody></table>
  ${
    total === 0
      ? html`<p class="muted">No webhook refused since start.</p>`
      : html`<ul class="refusals">${v.tokens.map((e) => html`<li data-refusal="${e.reason}" data-token="${e.token}">${e.text}</li>`)}</ul>`
  }
</section>`;
}
