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

/** The latest interval with any of `kind`: when events last arrived or left; null when none in the chart. */
export function lastWith(v: ActivityView, kind: 'received' | 'delivered' | 'refused'): ActivityBucket | null {
  return v.buckets.findLast((b) => b[kind] > 0) ?? null;
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
/** Three strips, each its bars standing on its own baseline: received, delivered, refused. */
const STRIP = 48;
const GAP = 8;
const BASE = { received: STRIP, delivered: 2 * STRIP + GAP, refused: 3 * STRIP + 2 * GAP } as const;
export const CHART_HEIGHT = BASE.refused;

const scale = (n: number, max: number) => (n <= 0 || max <= 0 ? 0 : Math.max(1.5, (n / max) * STRIP));
const r = (n: number) => Math.round(n * 10) / 10;

/**
 * The chart as inline SVG: three strips, received above delivered on one
 * scale (a gap between them is events waiting), refused below on its own (a
 * POS retrying a wrong token refuses thousands and would flatten the rest).
 * Each interval is a <g> with its counts as data attributes and its sentence
 * as <title>; the intervals before the start lie on one grey band. Classes
 * only, no style attribute: the page's CSP allows no inline style.
 */
export function activitySvg(v: ActivityView, words: ChartWords): Html {
  const maxRD = Math.max(0, ...v.buckets.map((b) => Math.max(b.received, b.delivered)));
  const maxRef = Math.max(0, ...v.buckets.map((b) => b.refused));
  const width = v.buckets.length * STEP;
  const unknown = v.buckets.filter((b) => !b.counted).length * STEP;
  const bar = (css: keyof typeof BASE, x: number, h: number) =>
    h > 0 ? html`<rect class="${css}" x="${x + 1}" y="${r(BASE[css] - h)}" width="${STEP - 2}" height="${r(h)}"/>` : '';
  const bars = v.buckets.map((b, k) => {
    const x = k * STEP;
    const hit = html`<rect class="hit" x="${x}" y="0" width="${STEP}" height="${CHART_HEIGHT}"/>`;
    if (!b.counted) {
      return html`<g class="b unknown" data-start="${b.start}" data-counted="false"><title>${words.unknown(b)}</title>${hit}</g>`;
    }
    return html`<g class="b" data-start="${b.start}" data-counted="true" data-received="${b.received}" data-delivered="${b.delivered}" data-refused="${b.refused}"><title>${words.bucket(b)}</title>${hit}${bar('received', x, scale(b.received, maxRD))}${bar('delivered', x, scale(b.delivered, maxRD))}${bar('refused', x, scale(b.refused, maxRef))}</g>`;
  });
  const lines = Object.values(BASE).map((y) => html`<line class="axis" x1="0" y1="${y}" x2="${width}" y2="${y}"/>`);
  return html`<svg class="activity-chart" viewBox="0 0 ${width} ${CHART_HEIGHT}" preserveAspectRatio="none" role="img" data-max="${maxRD}" data-max-refused="${maxRef}">${unknown > 0 ? html`<rect class="unk" x="0" y="0" width="${unknown}" height="${CHART_HEIGHT}"/>` : ''}${lines}${bars}</svg>`;
}
