import { describe, expect, test } from 'bun:test';
import { CATALOGS, detectLanguage, LANGUAGES, t, tn } from '../../src/i18n/index.ts';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('each language says every sentence, with the same placeholders as English', () => {
  const en = CATALOGS.en;
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    const catalog = CATALOGS[lang];
    test(`${lang} has no key missing and none extra`, () => {
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    });
    test(`${lang} keeps each sentence's placeholders`, () => {
      const differ = Object.keys(en).filter(
        (k) =>
          JSON.stringify(placeholders((catalog as Record<string, string>)[k] ?? '')) !==
          JSON.stringify(placeholders((en as Record<string, string>)[k]!)),
      );
      expect(differ).toEqual([]);
    });
    test(`${lang} translates: no sentence of more than two words is left in English`, () => {
      const words = (text: string) => text.split(' ').filter((w) => !/\{\w+\}/.test(w)).length;
      const same = Object.keys(en).filter(
        (k) =>
          words((en as Record<string, string>)[k]!) > 2 &&
          (catalog as Record<string, string>)[k] === (en as Record<string, string>)[k],
      );
      expect(same).toEqual([]);
    });
  }
});

describe("t fills placeholders and writes numbers the language's way", () => {
  test('a number is grouped as the language groups it', () => {
    expect(t('pt-BR', 'banner.on_the_way_other', { n: 1234 })).toContain('1.234 eventos');
    expect(t('en', 'banner.on_the_way_other', { n: 1234 })).toContain('1,234 events');
  });
  test('the singular or the plural by the count', () => {
    expect(tn('pt-BR', 'banner.on_the_way', 1)).toBe(
      'A nuvem responde; 1 evento está a caminho (veja "Aguardando por token" abaixo).',
    );
    expect(tn('es', 'banner.on_the_way', 2)).toContain('2 eventos están en camino');
  });
});

describe("this PC's language when [site] language is empty", () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ['LANG Brazilian', { LANG: 'pt_BR.UTF-8' }, 'en-US', 'pt-BR'],
    ['LANG from Portugal is still Portuguese', { LANG: 'pt_PT.UTF-8' }, 'en-US', 'pt-BR'],
    ['LANG Argentine', { LANG: 'es_AR.UTF-8' }, 'en-US', 'es'],
    ['LC_ALL over LANG', { LC_ALL: 'es_MX.UTF-8', LANG: 'pt_BR.UTF-8' }, 'en-US', 'es'],
    ['LC_MESSAGES over LANG', { LC_MESSAGES: 'pt_BR.UTF-8', LANG: 'en_US.UTF-8' }, 'en-US', 'pt-BR'],
    ['C says nothing: Intl decides (Windows user locale)', { LANG: 'C.UTF-8' }, 'es-419', 'es'],
    ['nothing set: Intl decides', {}, 'pt-BR', 'pt-BR'],
    ['a language without a catalog is English', { LANG: 'fr_FR.UTF-8' }, 'pt-BR', 'en'],
    ['nothing known is English', {}, 'de-DE', 'en'],
  ];
  for (const [name, env, intl, want] of cases) {
    test(name, () => expect(detectLanguage(env, intl)).toBe(want as never));
  }
});
