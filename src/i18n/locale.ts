import type { Language } from './index.ts';

/** The Intl locale each language writes dates and numbers with (English as the relay has always written it). */
export const LOCALE: Readonly<Record<Language, string>> = { en: 'en-GB', 'pt-BR': 'pt-BR', es: 'es-419' };

/**
 * This PC's language, for a config that leaves `[site] language` empty. On
 * Linux the POSIX variables in their order of precedence (LC_ALL, then
 * LC_MESSAGES, then LANG; "C" and "POSIX" say nothing), else the locale ICU
 * reports (Windows' user locale). Portuguese of any country is pt-BR, the
 * Portuguese written here; a language without a catalog is English.
 */
export function detectLanguage(
  env: Readonly<Record<string, string | undefined>> = process.env,
  intlLocale: string = Intl.DateTimeFormat().resolvedOptions().locale,
): Language {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[name];
    if (!v || v === 'C' || v === 'POSIX' || v.startsWith('C.')) continue;
    return languageOf(v);
  }
  return languageOf(intlLocale);
}

/** "pt_BR.UTF-8", "pt-PT", "es_AR", "es-419", "en-US": the language part decides. */
function languageOf(tag: string): Language {
  const base = tag.toLowerCase().split(/[_.@-]/)[0];
  return base === 'pt' ? 'pt-BR' : base === 'es' ? 'es' : 'en';
}

const zoned = (zone: string | undefined) => (zone ? { timeZone: zone } : {});

/** "08:12" in the site's zone. */
export function timeOfDay(lang: Language, at: number, zone?: string): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    ...zoned(zone),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/**
 * "7 dez. 2026, 08:12" / "7 Dec 2026, 08:12": a date and time in the site's
 * zone, as the language writes it; `weekday` puts the day's name first
 * ("seg., 7 dez. 2026, 08:12": the page's clock).
 */
export function dateTime(lang: Language, at: number, zone?: string, opts: { weekday?: boolean } = {}): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    ...zoned(zone),
    ...(opts.weekday ? { weekday: 'short' as const } : {}),
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}
