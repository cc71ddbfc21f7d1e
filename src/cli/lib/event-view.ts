import { maskToken, scrubTokens } from '../../lib/mask.ts';
import { iso } from '../../lib/time.ts';
import type { EventDetail, EventSummary } from '../../spool/index.ts';
import type { Io } from '../context.ts';
import { localTime, table, tokenLabel } from './output.ts';

/**
 * How `relay events list` and `relay events show` print events. Every token,
 * including one quoted inside a cloud answer, is masked to 8 characters.
 */

export const lastAnswer = (e: EventSummary): string =>
  e.lastStatus !== null ? String(e.lastStatus) : e.lastError !== null ? 'error' : '-';

export function listTable(rows: EventSummary[]): string {
  return table(
    ['ID', 'RECEIVED', 'TOKEN', 'ENV', 'STATUS', 'ATTEMPTS', 'LAST', 'WARNINGS'],
    rows.map((e) => [
      e.id,
      localTime(e.receivedAt),
      maskToken(e.token),
      e.env,
      e.status,
      String(e.attempts),
      lastAnswer(e),
      String(e.warnings.length),
    ]),
  );
}

export function summaryJson(e: EventSummary) {
  const scrub = (s: string | null) => (s === null ? null : scrubTokens(s, [e.token]));
  return {
    id: e.id,
    received_at: iso(e.receivedAt),
    token: maskToken(e.token),
    env: e.env,
    status: e.status,
    size: e.size,
    attempts: e.attempts,
    last_attempt_at: iso(e.lastAttemptAt),
    last_status: e.lastStatus,
    last_error: scrub(e.lastError),
    cloud_event_id: e.cloudEventId,
    delivered_at: iso(e.deliveredAt),
    warnings: e.warnings,
  };
}

/**
 * The body as text: the stored bytes decoded as UTF-8 (the relay accepts only
 * valid UTF-8), keeping a byte-order mark if one was sent, so the text is the
 * bytes as received.
 */
export const bodyText = (body: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);

export function detailJson(e: EventDetail) {
  return {
    ...summaryJson(e),
    history: e.history.map((a) => ({
      at: iso(a.at),
      status: a.status,
      verdict: a.verdict,
      detail: a.detail === null ? null : scrubTokens(a.detail, [e.token]),
    })),
    body: bodyText(e.body),
  };
}

export function printDetail(io: Io, e: EventDetail, names: ReadonlyMap<string, string>): void {
  const scrub = (s: string) => scrubTokens(s, [e.token]);
  const field = (k: string, v: string) => io.out(`${k.padEnd(13)}${v}`);
  field('event', e.id);
  field('status', statusLine(e));
  field('token', tokenLabel(e.token, names));
  field('env', e.env);
  field('received', `${localTime(e.receivedAt)} (${iso(e.receivedAt)})`);
  field('size', `${e.size} bytes`);
  if (e.lastAttemptAt !== null) {
    field(
      'last attempt',
      `${localTime(e.lastAttemptAt)}: ${lastAnswer(e)}${e.lastError ? ` ${scrub(e.lastError)}` : ''}`,
    );
  }
  if (e.cloudEventId !== null) field('cloud id', e.cloudEventId);

  io.out('');
  if (e.warnings.length === 0) io.out('warnings: none');
  else {
    io.out(`warnings (${e.warnings.length}):`);
    for (const w of e.warnings) io.out(`  - ${w}`);
  }

  io.out('');
  if (e.history.length === 0) io.out('delivery attempts: none yet');
  else {
    io.out(`delivery attempts (${e.history.length}):`);
    const rows = e.history.map((a) => [
      localTime(a.at),
      a.status === null ? 'no answer' : String(a.status),
      a.verdict,
      a.detail === null ? '' : oneLine(scrub(a.detail)),
    ]);
    io.out(indent(table(['AT', 'STATUS', 'VERDICT', "CLOUD'S ANSWER"], rows)));
  }

  io.out('');
  io.out(`body (${e.body.length} bytes, exactly as received):`);
  io.out(bodyText(e.body));
}

function statusLine(e: EventDetail): string {
  const n = `${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`;
  if (e.status === 'delivered') return `delivered ${localTime(e.deliveredAt)} after ${n}`;
  if (e.status === 'dead') return `dead-lettered after ${n} (re-send: relay events replay ${e.id})`;
  return e.attempts === 0 ? 'pending, not tried yet' : `pending, ${n} so far`;
}

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
};

const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
