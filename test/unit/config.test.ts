/**
 * Reading relay.toml (src/config): every key's default, and for each mistake
 * a problem naming the key, what was expected, what came and the line. The
 * rules after parsing (cross-field checks, paths, secrets, the example file)
 * are test/unit/config-rules.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { type Config, defaultConfig, hostTimeZone, parseConfig } from '../../src/config/index.ts';
import { detectLanguage } from '../../src/i18n/index.ts';
import { TOKEN } from '../helpers/config.ts';
import { configOf, CONFIG_PATH as PATH, problemsOf } from '../helpers/config-text.ts';

// Compile-time promise: the derived type is exactly the documented public shape.
type Documented = {
  server: {
    host: string | string[];
    port: number;
    max_body_bytes: number;
    body_timeout_seconds: number;
    max_uploads: number;
    tls_cert: string;
    tls_key: string;
  };
  spool: { path: string; max_size_mb: number; retention_days: number; on_damage: 'quarantine' | 'refuse' };
  cloud: { url: string; timeout_seconds: number; proxy: string };
  forward: { rate_per_token: number; max_backoff_seconds: number; initial_backoff_seconds: number };
  limits: { rate_per_token: number; burst_per_token: number };
  tokens: { token: string; name: string; active: boolean }[];
  admin: { password: string; outage_amber_seconds: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; file: string };
  site: { name: string; timezone: string; id: string; language: string };
  telemetry: { endpoint: string; headers: Record<string, string>; interval_seconds: number };
  warnings: { clock_ahead_minutes: number; identifier_min_samples: number; in_body: 'dev' | 'always' | 'never' };
  alerts: {
    webhook_url: string;
    smtp_url: string;
    email_from: string;
    email_to: string[];
    repeat_hours: number;
    unreachable_minutes: number;
    after_minutes: number;
    success_rate_below: number;
    success_rate_window: number;
    spool_full_above: number;
    token_paused: boolean;
    dead_letters: boolean;
    spool_quarantined: boolean;
    first_events: number;
  };
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const configTypeIsDocumented: Same<Config, Documented> = true;
void configTypeIsDocumented;

const DEFAULTS: Documented = {
  server: {
    host: 'localhost',
    port: 8080,
    max_body_bytes: 10485760,
    body_timeout_seconds: 20,
    max_uploads: 256,
    tls_cert: '',
    tls_key: '',
  },
  spool: { path: 'data/relay.db', max_size_mb: 1024, retention_days: 7, on_damage: 'quarantine' },
  cloud: { url: 'https://api.emiliavision.com', timeout_seconds: 30, proxy: '' },
  forward: { rate_per_token: 100, max_backoff_seconds: 300, initial_backoff_seconds: 1 },
  limits: { rate_per_token: 100, burst_per_token: 200 },
  tokens: [],
  admin: { password: '', outage_amber_seconds: 60 },
  log: { level: 'info', file: '' },
  site: { name: '', timezone: '', id: '', language: '' },
  warnings: { clock_ahead_minutes: 15, identifier_min_samples: 20, in_body: 'dev' },
  alerts: {
    webhook_url: '',
    smtp_url: '',
    email_from: '',
    email_to: [],
    repeat_hours: 4,
    unreachable_minutes: 5,
    after_minutes: 15,
    success_rate_below: 0.95,
    success_rate_window: 100,
    spool_full_above: 0.8,
    token_paused: true,
    dead_letters: true,
    spool_quarantined: true,
    first_events: 20,
  },
  telemetry: { endpoint: '', headers: {}, interval_seconds: 60 },
};

describe('defaults', () => {
  it('gives every key its default when the file is empty', () => {
    expect(configOf('')).toEqual({
      ...DEFAULTS,
      spool: { ...DEFAULTS.spool, path: '/etc/relay/data/relay.db' },
      // "" means this PC's zone and language, resolved when the file is read.
      site: { name: '', timezone: hostTimeZone(), id: '', language: detectLanguage({}) },
    });
  });

  it('defaults the keys a section leaves out and keeps the ones it sets', () => {
    const config = configOf('[server]\nport = 9000\n[[tokens]]\ntoken = "abc"');
    expect(config.server).toEqual({
      host: 'localhost',
      port: 9000,
      max_body_bytes: 10485760,
      body_timeout_seconds: 20,
      max_uploads: 256,
      tls_cert: '',
      tls_key: '',
    });
    expect(config.tokens).toEqual([{ token: 'abc', name: '', active: true }]);
  });

  it('returns all defaults and no tokens from defaultConfig, fresh each call', () => {
    const first = defaultConfig();
    expect(first).toEqual(DEFAULTS);
    first.server.port = 1;
    first.tokens.push({ token: 'x', name: '', active: true });
    expect(defaultConfig()).toEqual(DEFAULTS);
  });

  it.each<[string, (c: Config) => unknown, unknown]>([
    ['[server]\nport = 0', (c: Config) => c.server.port, 0],
    ['[server]\nport = 65535', (c: Config) => c.server.port, 65535],
    ['[forward]\ninitial_backoff_seconds = 0.05', (c: Config) => c.forward.initial_backoff_seconds, 0.05],
    [
      '[forward]\ninitial_backoff_seconds = 5\nmax_backoff_seconds = 5',
      (c: Config) => c.forward.initial_backoff_seconds,
      5,
    ],
    ['[limits]\nburst_per_token = 1', (c: Config) => c.limits.burst_per_token, 1],
    ['[spool]\nmax_size_mb = 0.5', (c: Config) => c.spool.max_size_mb, 0.5],
    ['[log]\nlevel = "silent"', (c: Config) => c.log.level, 'silent'],
    ['[log]\nlevel = "trace"', (c: Config) => c.log.level, 'trace'],
  ])('accepts the boundary value in %p', (text, pick, value) => {
    expect(pick(configOf(text))).toBe(value);
  });
});

describe('type errors', () => {
  it.each([
    ['server', 'host', '1', 'an address such as "localhost" or "0.0.0.0", or a list of them', '1'],
    ['server', 'host', '""', 'an address such as "localhost" or "0.0.0.0", or a list of them', '""'],
    [
      'server',
      'host',
      '1979-05-27',
      'an address such as "localhost" or "0.0.0.0", or a list of them',
      'a date-time (1979-05-27)',
    ],
    ['server', 'port', '"8080"', 'an integer 0..65535', '"8080"'],
    ['server', 'port', '65536', 'an integer 0..65535', '65536'],
    ['server', 'port', '-1', 'an integer 0..65535', '-1'],
    ['server', 'port', '80.5', 'an integer 0..65535', '80.5'],
    ['server', 'max_body_bytes', '0', 'an integer > 0', '0'],
    ['server', 'max_body_bytes', '[1]', 'an integer > 0', 'an array'],
    ['server', 'body_timeout_seconds', '0', 'an integer 1..200', '0'],
    ['server', 'body_timeout_seconds', '201', 'an integer 1..200', '201'],
    ['server', 'max_uploads', '0', 'an integer > 0', '0'],
    ['spool', 'path', '5', 'a non-empty string', '5'],
    ['spool', 'max_size_mb', '0', 'a number > 0', '0'],
    ['spool', 'retention_days', 'inf', 'a number > 0', 'inf'],
    ['cloud', 'url', '"ftp://example.com"', 'an http:// or https:// URL', '"ftp://example.com"'],
    ['cloud', 'url', '"api.emiliavision.com"', 'an http:// or https:// URL', '"api.emiliavision.com"'],
    ['cloud', 'url', '"http://[::1"', 'an http:// or https:// URL', '"http://[::1"'],
    ['cloud', 'url', '"https://cloud.test/ api"', 'an http:// or https:// URL', '"https://cloud.test/ api"'],
    ['cloud', 'timeout_seconds', '-3', 'a number > 0', '-3'],
    ['forward', 'rate_per_token', '"fast"', 'a number > 0', '"fast"'],
    ['forward', 'max_backoff_seconds', '0', 'a number > 0', '0'],
    ['forward', 'initial_backoff_seconds', '-0.5', 'a number > 0', '-0.5'],
    ['limits', 'rate_per_token', 'false', 'a number > 0', 'false'],
    ['limits', 'burst_per_token', '0.5', 'a number >= 1', '0.5'],
    ['log', 'level', '"verbose"', 'one of fatal, error, warn, info, debug, trace, silent', '"verbose"'],
    ['log', 'level', '{ a = 1 }', 'one of fatal, error, warn, info, debug, trace, silent', 'a table'],
    ['log', 'file', 'true', 'a path to a log file, or "" for standard output', 'true'],
    ['warnings', 'in_body', '"prod"', 'one of dev, always, never', '"prod"'],
    ['warnings', 'in_body', 'true', 'one of dev, always, never', 'true'],
  ])('names %s.%s = %s, what was expected and what came', (section, key, bad, expected, got) => {
    expect(problemsOf(`[${section}]\n${key} = ${bad}`)).toEqual([
      `config ${section}.${key}: expected ${expected}, got ${got} (line 2)`,
    ]);
  });

  it.each([
    ['token = 5', 'token', 'a non-empty string', 'the number …', 5],
    ['token = ""', 'token', 'a non-empty string', '""', 5],
    // A missing key has no line of its own, so its entry's header stands in.
    ['name = "Bar"', 'token', 'a non-empty string', 'nothing', 4],
    ['token = "t"\nname = 5', 'name', 'a string', '5', 6],
    ['token = "t"\nactive = "yes"', 'active', 'true or false', '"yes"', 6],
  ])('names the field of a [[tokens]] entry: %p', (body, key, expected, got, line) => {
    expect(problemsOf(`[[tokens]]\ntoken = "a"\n\n[[tokens]]\n${body}`)).toEqual([
      `config tokens[1].${key}: expected ${expected}, got ${got} (line ${line})`,
    ]);
  });

  it.each([
    ['server = 5', 'config server: expected a table, got 5 (line 1)'],
    ['log = "debug"', 'config log: expected a table, got "debug" (line 1)'],
    ['tokens = "019ab6ed-150a"', 'config tokens: expected an array of tables ([[tokens]]), got "019ab6ed…" (line 1)'],
  ])('rejects a section of the wrong shape: %p', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });
});

describe('unknown keys', () => {
  it.each([
    ['server', 'prot', 'host, port, max_body_bytes, body_timeout_seconds, max_uploads, tls_cert, tls_key'],
    ['admin', 'pasword', 'password, outage_amber_seconds'],
    ['spool', 'size', 'path, max_size_mb, retention_days, on_damage'],
    ['cloud', 'uri', 'url, timeout_seconds, proxy'],
    ['forward', 'rate', 'rate_per_token, max_backoff_seconds, initial_backoff_seconds'],
    ['limits', 'burst', 'rate_per_token, burst_per_token'],
    ['log', 'lvl', 'level, file'],
    ['site', 'zone', 'name, timezone, id, language'],
    ['warnings', 'clock', 'clock_ahead_minutes, identifier_min_samples, in_body'],
  ])('names the key and line of an unknown key in [%s]', (section, key, allowed) => {
    expect(problemsOf(`# a comment\n[${section}]\n${key} = 1`)).toEqual([
      `config ${section}.${key}: unknown key (allowed: ${allowed}) (line 3)`,
    ]);
  });

  it('names an unknown top-level key and an unknown section', () => {
    const allowed = 'server, spool, cloud, forward, limits, tokens, admin, log, site, warnings, alerts, telemetry';
    expect(problemsOf('debug = true\n\n[srever]\nport = 1')).toEqual([
      `config debug: unknown key (allowed: ${allowed}) (line 1)`,
      `config srever: unknown key (allowed: ${allowed}) (line 3)`,
    ]);
  });

  it('names an unknown key inside the right [[tokens]] entry', () => {
    const text = `[[tokens]]\ntoken = "a"\n[[tokens]]\ntoken = "b"\nnmae = "Bar"`;
    expect(problemsOf(text)).toEqual(['config tokens[1].nmae: unknown key (allowed: token, name, active) (line 5)']);
  });

  it.each([
    ['token = 1234567890123456', 'the number 12345678…'],
    ['token = 1.2345678901234e30', 'the number 1.234567…'],
    ['token = -98765432123', 'the number -9876543…'],
  ])('masks a token written as a number (%p), naming the key and line', (line, shown) => {
    expect(problemsOf(`[[tokens]]\nname = "Bar"\n${line}`)).toEqual([
      `config tokens[0].token: expected a non-empty string, got ${shown} (line 3)`,
    ]);
  });

  it('falls back to the enclosing key when the key sits in an inline table', () => {
    expect(problemsOf('\nserver = { prot = 1 }')).toEqual([
      'config server.prot: unknown key (allowed: host, port, max_body_bytes, body_timeout_seconds, max_uploads, tls_cert, tls_key) (line 2)',
    ]);
  });

  it('is not misled by key-like lines inside a multi-line string', () => {
    expect(problemsOf('[server]\nhost = """\nport = 1\n"""\nport = "x"')).toEqual([
      'config server.port: expected an integer 0..65535, got "x" (line 5)',
    ]);
  });
});

describe('syntax errors', () => {
  it.each([
    ['[server]\nport = 1\nhost =\n', 3, 'Missing value'],
    ['[server]\nport = 1\n\n[server]\n', 4, "Cannot redefine table 'server'"],
    ['[cloud]\ntimeout_seconds = [1,\n2,\n', 2, 'Unterminated array'],
    ['port', 1, "Expected '='"],
  ])('names the file, line and parser message of %p', (text, line, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(`config ${PATH} line ${line}: `);
    expect(problems[0]).toContain(message);
  });
});

describe('environment substitution', () => {
  it.each([
    ['token = "${RELAY_TOKEN_1}"', { RELAY_TOKEN_1: TOKEN }, TOKEN],
    ['token = "prefix-${X}"', { X: 'abc' }, 'prefix-abc'],
    ['token = "${A}:${B}"', { A: '1', B: '2' }, '1:2'],
    ['token = "${A}"', { A: '${B}', B: 'not expanded twice' }, '${B}'],
  ])('replaces %p from the env it is given', (line, env, token) => {
    expect(configOf(`[[tokens]]\n${line}`, env).tokens[0]?.token).toBe(token);
  });

  it('leaves a substituted value a string: numbers are not coerced', () => {
    expect(problemsOf('[server]\nport = "${PORT}"', { PORT: '9000' })).toEqual([
      'config server.port: expected an integer 0..65535, got "9000" (line 2)',
    ]);
  });

  it('treats a variable set to "" as set, and validates the empty result', () => {
    expect(problemsOf('[[tokens]]\ntoken = "${EMPTY}"', { EMPTY: '' })).toEqual([
      'config tokens[0].token: expected a non-empty string, got "" (line 2)',
    ]);
  });

  it('names the key of a missing variable', () => {
    expect(problemsOf('[[tokens]]\ntoken = "${RELAY_TOKEN_1}"')).toEqual([
      'config tokens[0].token: environment variable RELAY_TOKEN_1 is not set (line 2)',
    ]);
  });

  it('substitutes before validating, so the substituted value is what gets checked', () => {
    expect(configOf('[cloud]\nurl = "${CLOUD}/"', { CLOUD: 'https://cloud.test' }).cloud.url).toBe(
      'https://cloud.test',
    );
    expect(problemsOf('[cloud]\nurl = "${CLOUD}"', { CLOUD: 'ftp://x' })).toEqual([
      'config cloud.url: expected an http:// or https:// URL, got "ftp://x" (line 2)',
    ]);
  });

  it('reads process.env when no env is passed', () => {
    process.env.RELAY_CONFIG_TEST_HOST = '10.1.2.3';
    try {
      const result = parseConfig('[server]\nhost = "${RELAY_CONFIG_TEST_HOST}"', { path: PATH });
      expect(result.ok && result.config.server.host).toBe('10.1.2.3');
    } finally {
      delete process.env.RELAY_CONFIG_TEST_HOST;
    }
  });
});

describe('[site] language', () => {
  it('takes pt-BR, es and en', () => {
    for (const l of ['pt-BR', 'es', 'en']) expect(configOf(`[site]\nlanguage = "${l}"`).site.language).toBe(l);
  });
  it("takes this PC's language when left empty: LANG of the environment the file is read in", () => {
    expect(configOf('', { LANG: 'pt_BR.UTF-8' }).site.language).toBe('pt-BR');
    expect(configOf('[site]\nlanguage = ""', { LC_ALL: 'es_AR.UTF-8' }).site.language).toBe('es');
    expect(configOf('[site]\nlanguage = "en"', { LANG: 'pt_BR.UTF-8' }).site.language).toBe('en');
  });
  it('refuses a language it has no words for, naming the three it has', () => {
    expect(problemsOf('[site]\nlanguage = "fr"')).toEqual([
      `config site.language: expected "pt-BR", "es", "en" or "" for this PC's language, got "fr" (line 2)`,
    ]);
  });
});
