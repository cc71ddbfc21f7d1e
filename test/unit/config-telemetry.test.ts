/**
 * [telemetry] and [site] id: off by default, an endpoint that must be a URL,
 * headers whose values (API keys) are never shown back, in a problem or in
 * the redacted config `relay check` prints.
 */
import { describe, expect, it } from 'bun:test';
import { redactConfig } from '../../src/config/index.ts';
import { configOf, problemsOf } from '../helpers/config-text.ts';

const KEY = 'sk-live-4f1c2a9b7e3d';

describe('[telemetry]', () => {
  it('pushes nothing unless an endpoint is set', () => {
    expect(configOf('').telemetry).toEqual({ endpoint: '', headers: {}, interval_seconds: 60 });
    expect(configOf('').site.id).toBe('');
  });

  it('takes an endpoint, headers and an interval', () => {
    const c = configOf(
      `[telemetry]\nendpoint = "http://collector:4318"\nheaders = { "X-Api-Key" = "${KEY}" }\ninterval_seconds = 15\n[site]\nid = "lisbon-01"`,
    );
    expect(c.telemetry).toEqual({
      endpoint: 'http://collector:4318',
      headers: { 'X-Api-Key': KEY },
      interval_seconds: 15,
    });
    expect(c.site.id).toBe('lisbon-01');
  });

  it.each<[string, string]>([
    [
      '[telemetry]\nendpoint = "collector:4318"',
      'config telemetry.endpoint: expected an http:// or https:// URL such as "http://collector:4318", got "collector:4318" (line 2)',
    ],
    [
      '[telemetry]\nendpoint = "ftp://collector"',
      'config telemetry.endpoint: expected an http:// or https:// URL such as "http://collector:4318", got "ftp://collector/" (line 2)',
    ],
    ['[telemetry]\ninterval_seconds = 0', 'config telemetry.interval_seconds: expected a number >= 1, got 0 (line 2)'],
    [
      '[telemetry]\nheaders = { "bad name" = "x" }',
      'config telemetry.headers."bad name": expected a header name (letters, digits, "-") (line 2)',
    ],
    [
      '[site]\nid = "a site/with slash"',
      'config site.id: expected letters, digits, ".", "_" or "-" (1 to 64), or "" for one made once and kept in the spool, got "a site/with slash" (line 2)',
    ],
  ])('refuses %j naming the key', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it('never shows a header value: not in a problem, not in the redacted config', () => {
    const problems = problemsOf(`[telemetry]\nheaders = { "X-Api-Key" = 12345678901234 }`).join('\n');
    expect(problems).toContain('telemetry.headers.X-Api-Key');
    expect(problems).not.toContain('12345678901234');
    const lineBreak = problemsOf(`[telemetry]\nheaders = { "X-Api-Key" = "${KEY}\\nX: y" }`).join('\n');
    expect(lineBreak).toContain('no line breaks');
    expect(lineBreak).not.toContain(KEY);
    const c = configOf(
      `[telemetry]\nendpoint = "https://u:pw@collector:4318"\nheaders = { "Authorization" = "Bearer ${KEY}" }`,
    );
    const shown = JSON.stringify(redactConfig(c));
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(':pw@');
    expect(shown).toContain('"Authorization":"Bearer s…"');
  });
});
