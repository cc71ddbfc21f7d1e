import { type DrainEstimate, drainDuration } from '../spool/index.ts';
import { decimal, type Language, t } from './index.ts';

/** The backlog's drain (spool drain.ts estimate) as the status page and `relay status` say it. */
export function drainSentence(lang: Language, e: DrainEstimate): string {
  if (e.kind === 'empty') return t(lang, 'drain.empty');
  if (e.kind === 'stalled') return t(lang, 'drain.stalled');
  return t(lang, 'drain.draining', { d: drainDuration(e.seconds), pace: decimal(lang, e.perSecond) });
}
