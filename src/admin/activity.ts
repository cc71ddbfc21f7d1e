import { iso } from '../lib/time.ts';
import { type Html, html } from './html.ts';

/**
 * The last 24 hours at a glance: events received, delivered and refused per
 * interval, so "the dashboard has been empty since Tuesday" meets a chart
 * that shows when events stopped arriving or stopped leaving. The counts are
 * kept in memory since the relay started (lib/buckets.ts): reading them from
 * the spool meant a scan of every row received in the day (received_at has no
 * index) at each refresh. Intervals before the start are drawn as unknown,
 * never as zero.
 */

export interface ActivityBucket {
  /** The interval's start, ISO 8601. */
  start: string;
  /** Its start and end in the site's zone, "14:15" and "14:30". */
  from: string;
  to: string;
  received: number;
  delivered: number;
  refused: number;
  /** False for an interval that ended before the relay started: its counts are unknown, not 0. */
  counted: boolean;
}

export interface ActivityView {
  bucket_minutes: number;
  /** When counting began (the relay's start), ISO 8601. */
  counted_since: string;
  /** The relay started within the chart's span: the first intervals are unknown. */
  since_start: boolean;
  /** Oldest first; the last one holds now. */
  buckets: ActivityBucket[];
}

export interface ActivityInput {
  now: number;
  startedAt: number;
  bucketMs: number;
  count: number;
  /** IANA zone the times are written in. */
  zone: string;
  /** Counts keyed by interval start (BucketCounts.snapshot). */
  received: ReadonlyMap<number, number>;
  delivered: ReadonlyMap<number, number>;
  refused: ReadonlyMap<number, number>;
}

const hhmm = (zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The `count` intervals up to the one holding `now`, oldest first, each with its counts. */
export function activityView(i: ActivityInput): ActivityView {
  const f = hhmm(i.zone);
  const last = Math.floor(i.now / i.bucketMs) * i.bucketMs;
  const first = last - (i.count - 1) * i.bucketMs;
  const buckets: ActivityBucket[] = [];
  for (let start = first; start <= last; start += i.bucketMs) {
    buckets.push({
      start: iso(start)!,
      from: f.format(start),
      to: f.format(start + i.bucketMs),
      received: i.received.get(start) ?? 0,
      delivered: i.delivered.get(start) ?? 0,
      refused: i.refused.get(start) ?? 0,
      counted: start + i.bucketMs > i.startedAt,
    });
  }
  return {
    bucket_minutes: i.bucketMs / 60_000,
    counted_since: iso(i.startedAt)!,
    since_start: i.startedAt > first,
    buckets,
  };
}

/** What the chart says, in the page's language. */
export interface ChartWords {
  /** A counted interval's tooltip. */
  bucket: (b: ActivityBucket) => string;
  /** An interval before the start. */
  unknown: (b: ActivityBucket) => string;
}

/** Width of one interval in the SVG's own units; the SVG stretches to the page's width. */
const STEP = 10;
const TOP = 110;
const GAP = 8;
const LOW = 40;
export const CHART_HEIGHT = TOP + GAP + LOW;

const scale = (n: number, max: number, h: number) => (n <= 0 || max <= 0 ? 0 : Math.max(1.5, (n / max) * h));
const r = (n: number) => Math.round(n * 10) / 10;

/**
 * The chart as inline SVG: received (wide, light) and delivered (narrow,
 * dark) on one scale above, refused on its own scale below the line (a POS
 * retrying a wrong token refuses thousands and would flatten the rest). Each
 * interval is a <g> with its counts as data attributes and its sentence as
 * <title>. Classes only, no style attribute: the page's CSP allows no inline style.
 */
export function activitySvg(v: ActivityView, words: ChartWords): Html {
  const maxRD = Math.max(0, ...v.buckets.map((b) => Math.max(b.received, b.delivered)));
  const maxRef = Math.max(0, ...v.buckets.map((b) => b.refused));
  const width = v.buckets.length * STEP;
  const bars = v.buckets.map((b, k) => {
    const x = k * STEP;
    if (!b.counted) {
      return html`<g class="b unknown" data-start="${b.start}" data-counted="false"><title>${words.unknown(b)}</title><rect class="unk" x="${x}" y="0" width="${STEP}" height="${CHART_HEIGHT}"/></g>`;
    }
    const hr = scale(b.received, maxRD, TOP);
    const hd = scale(b.delivered, maxRD, TOP);
    const hf = scale(b.refused, maxRef, LOW);
    return html`<g class="b" data-start="${b.start}" data-counted="true" data-received="${b.received}" data-delivered="${b.delivered}" data-refused="${b.refused}"><title>${words.bucket(b)}</title><rect class="hit" x="${x}" y="0" width="${STEP}" height="${CHART_HEIGHT}"/>${hr > 0 ? html`<rect class="rcv" x="${x + 1}" y="${r(TOP - hr)}" width="${STEP - 2}" height="${r(hr)}"/>` : ''}${hd > 0 ? html`<rect class="dlv" x="${x + 3}" y="${r(TOP - hd)}" width="${STEP - 6}" height="${r(hd)}"/>` : ''}${hf > 0 ? html`<rect class="rfs" x="${x + 1}" y="${TOP + GAP}" width="${STEP - 2}" height="${r(hf)}"/>` : ''}</g>`;
  });
  return html`<svg class="activity-chart" viewBox="0 0 ${width} ${CHART_HEIGHT}" preserveAspectRatio="none" role="img" data-max="${maxRD}" data-max-refused="${maxRef}"><line class="axis" x1="0" y1="${TOP + GAP / 2}" x2="${width}" y2="${TOP + GAP / 2}"/>${bars}</svg>`;
}
