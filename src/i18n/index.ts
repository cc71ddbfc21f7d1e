import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { LOCALE } from './locale.ts';
import { ptBR } from './pt-BR.ts';

/**
 * The restaurant's language: what a person reads on the status page, in an
 * alert, from `relay status` and `relay doctor`. One catalog per language,
 * en.ts the reference; logs, metric names, config keys, /health and what the
 * POS is answered stay English (the cloud's contract is English).
 */

/** `[site] language`; "" in the file takes this PC's language when the config is read. */
export const LANGUAGES = ['pt-BR', 'es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export type { Catalog, MessageKey } from './en.ts';

export const CATALOGS: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = {
  en,
  'pt-BR': ptBR,
  es,
};

export const isLanguage = (v: unknown): v is Language => (LANGUAGES as readonly unknown[]).includes(v);

export type Params = Readonly<Record<string, string | number>>;

/** Placeholders are `{name}`; a number is written in the language's way (1.234 in Portuguese). */
export function t(lang: Language, key: MessageKey, params: Params = {}): string {
  const text = (CATALOGS[lang] ?? en)[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? number(lang, v) : v;
  });
}

/** Keys that come as a pair `<base>_one` / `<base>_other`. */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer B}_one` ? (`${B}_other` extends MessageKey ? B : never) : never;
}[MessageKey];

/** The singular or plural sentence for `count` (given to the sentence as {n}), by the language's own rule. */
export function tn(lang: Language, key: PluralKey, count: number, params: Params = {}): string {
  const form = new Intl.PluralRules(LOCALE[lang]).select(count) === 'one' ? 'one' : 'other';
  return t(lang, `${key}_${form}` as MessageKey, { n: count, ...params });
}

export function number(lang: Language, v: number): string {
  return Number.isInteger(v) ? new Intl.NumberFormat(LOCALE[lang]).format(v) : String(v);
}

/** A rate for people: "1,234" from 10 up, else one decimal ("2.5", "2,5" in Portuguese). */
export function decimal(lang: Language, v: number): string {
  const digits = v >= 10 ? 0 : 1;
  return new Intl.NumberFormat(LOCALE[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    v,
  );
}

/** `[site] language` as the loader left it; anything else (a config built in code with "") is English. */
export const languageOr = (v: string): Language => (isLanguage(v) ? v : 'en');

export { drainSentence } from './drain.ts';
export { dateTime, detectLanguage, LOCALE, timeOfDay } from './locale.ts';
