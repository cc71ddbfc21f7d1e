/**
 * The config's rules past parsing: cross-field checks, paths resolved
 * against the file, where the file is looked for, secrets masked, every
 * problem reported in order, and config.example.toml kept complete. Parsing
 * and its error wording are test/unit/config.test.ts.
 */
import { afterAll, describe, expect, it } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  defaultConfig,
  hostTimeZone,
  loadConfig,
  maskToken,
  redactConfig,
  resolveConfigPath,
} from '../../src/config/index.ts';
import { detectLanguage } from '../../src/i18n/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/config.ts';
import { configOf, problemsOf } from '../helpers/config-text.ts';
import { tempDir } from '../helpers/temp.ts';

const EXAMPLE = join(import.meta.dir, '..', '..', 'config.example.toml');
const onCleanup = useCleanup();

describe('cross-field checks', () => {
  it('reports a duplicate token showing only its first 8 characters', () => {
    const problems = problemsOf(`[[tokens]]\ntoken = "${TOKEN}"\n[[tokens]]\ntoken = "${TOKEN}"\nname = "Bar"`);
    expect(problems).toEqual(['config tokens[1].token: duplicate token "019ab6ed…" (same as tokens[0]) (line 4)']);
    expect(problems.join('\n')).not.toContain(TOKEN.slice(0, 9));
  });

  it('does not call two unset variables duplicates', () => {
    expect(problemsOf('[[tokens]]\ntoken = "${T}"\n[[tokens]]\ntoken = "${T}"')).toHaveLength(2);
  });

  it('rejects an initial backoff longer than the maximum', () => {
    expect(problemsOf('[forward]\nmax_backoff_seconds = 5\ninitial_backoff_seconds = 10')).toEqual([
      'config forward.initial_backoff_seconds: expected a number <= forward.max_backoff_seconds (5), got 10 (line 3)',
    ]);
  });
});

describe('normalisation', () => {
  it.each([
    ['spool/relay.db', '/etc/relay/spool/relay.db'],
    ['../relay.db', '/etc/relay.db'],
    ['/var/lib/relay/relay.db', '/var/lib/relay/relay.db'],
    [':memory:', ':memory:'],
  ])('resolves spool.path %p against the config file directory', (path, expected) => {
    expect(configOf(`[spool]\npath = "${path}"`).spool.path).toBe(expected);
  });

  it.each([
    ['relay.log', '/etc/relay/relay.log'],
    ['C:/relay/relay.log', resolve('/etc/relay', 'C:/relay/relay.log')],
    ['/var/log/relay.log', '/var/log/relay.log'],
    ['', ''],
  ])('resolves log.file %p against the config file directory ("" stays standard output)', (file, expected) => {
    expect(configOf(`[log]\nfile = "${file}"`).log.file).toBe(expected);
  });

  it('resolves spool.path of a relative config path against the working directory', () => {
    expect(configOf('', {}, 'conf/relay.toml').spool.path).toBe(resolve('conf', 'data/relay.db'));
  });

  it.each([
    ['https://cloud.test/', 'https://cloud.test'],
    ['http://cloud.test/api/', 'http://cloud.test/api'],
    ['https://cloud.test', 'https://cloud.test'],
  ])('strips the trailing slash of %p', (url, expected) => {
    expect(configOf(`[cloud]\nurl = "${url}"`).cloud.url).toBe(expected);
  });
});

describe('resolveConfigPath', () => {
  const local = tempDir('relay-config-');
  const none = tempDir('relay-config-');
  afterAll(() => {
    local.cleanup();
    none.cleanup();
  });
  const withLocal = local.dir;
  writeFileSync(join(withLocal, 'relay.toml'), '');
  const empty = none.dir;
  const env = { RELAY_CONFIG: '/etc/relay/from-env.toml' };

  it.each([
    ['--config over everything', 'mine.toml', withLocal, env, join(withLocal, 'mine.toml')],
    ['./relay.toml over RELAY_CONFIG', undefined, withLocal, env, join(withLocal, 'relay.toml')],
    ['RELAY_CONFIG without ./relay.toml', undefined, empty, env, '/etc/relay/from-env.toml'],
    ['nothing when nothing is there', undefined, empty, {}, undefined],
  ])('picks %s', (_, explicit, cwd, environment, expected) => {
    expect(resolveConfigPath(explicit, { cwd, env: environment })).toBe(expected);
  });
});

describe('loadConfig', () => {
  it('reports an unreadable file as a problem instead of throwing', () => {
    const missing = join(tmpdir(), 'relay-no-such-dir', 'relay.toml');
    const result = loadConfig(missing, {});
    expect(result).toEqual({ ok: false, path: missing, problems: [expect.stringMatching(/cannot read \(ENOENT/)] });
    expect(!result.ok && result.problems[0]).toStartWith(`config ${missing}: cannot read (ENOENT`);
    expect(loadConfig(tmpdir(), {})).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/cannot read \(EISDIR/)],
    });
  });

  it('reads the file and resolves the spool beside it', () => {
    const dir = onCleanup.tempDir('relay-config-');
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'relay.toml'), '[spool]\npath = "spool.db"');
    const loaded = loadConfig(join(dir, 'etc', 'relay.toml'), {});
    expect(loaded.ok && loaded.config.spool.path).toBe(join(dir, 'etc', 'spool.db'));
  });
});

describe('secrets', () => {
  it.each([
    [TOKEN, '019ab6ed…'],
    ['12345678', '1234…'],
    ['abc', 'a…'],
    ['😀😀😀😀😀😀😀😀😀', '😀😀😀😀😀😀😀😀…'],
  ])('masks %p to at most 8 characters', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });

  it('redacts every token and leaves the config itself untouched', () => {
    const config = configOf(`[[tokens]]\ntoken = "${TOKEN}"\nname = "Main POS"`);
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain('"019ab6ed…"');
    expect(shown).toContain('"Main POS"');
    expect(config.tokens[0]?.token).toBe(TOKEN);
  });
});

describe('reporting', () => {
  it('reports every problem, in file order', () => {
    const text = '[server]\nport = -1\nprot = 1\n[log]\nlevel = "loud"\n[[tokens]]\ntoken = "${NOPE}"';
    expect(problemsOf(text)).toEqual([
      'config server.port: expected an integer 0..65535, got -1 (line 2)',
      'config server.prot: unknown key (allowed: host, port, max_body_bytes, body_timeout_seconds, max_uploads, tls_cert, tls_key) (line 3)',
      'config log.level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud" (line 5)',
      'config tokens[0].token: environment variable NOPE is not set (line 7)',
    ]);
  });
});

describe('config.example.toml', () => {
  const text = readFileSync(EXAMPLE, 'utf8');

  it('is valid without any environment', () => {
    const result = loadConfig(EXAMPLE, {});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.tokens).toEqual([
      { token: TOKEN, name: 'Main POS', active: true },
      expect.objectContaining({ active: false }),
    ]);
    expect(result.config.server).toMatchObject({ host: 'localhost', port: 8080 });
  });

  it('sets every key, each with a comment on the line above', () => {
    const lines = text.split('\n');
    const keys = new Set(lines.filter((l) => /^\w+ =/.test(l)).map((l) => l.split(' ')[0]));
    const schemaKeys = Object.values(defaultConfig()).flatMap((s) => Object.keys(s));
    expect([...keys].sort()).toEqual([...new Set([...schemaKeys, 'token', 'name', 'active'])].sort());
    lines.forEach((line, i) => {
      if (/^\w+ =/.test(line)) expect(`${lines[i - 1]}\n${line}`).toMatch(/^# .+\n/);
    });
  });
});

describe('site, proxy and alerts keys', () => {
  it.each<[string, string]>([
    [
      '[site]\ntimezone = "Mars/Olympus"',
      'config site.timezone: expected an IANA time zone name such as "America/Sao_Paulo", got "Mars/Olympus" (line 2)',
    ],
    [
      '[cloud]\nproxy = "socks5://p:1080"',
      'config cloud.proxy: expected an http:// proxy URL such as "http://proxy.local:3128", got "socks5://p:1080" (line 2)',
    ],
    [
      '[alerts]\nwebhook_url = "hooks.slack.com/x"',
      'config alerts.webhook_url: expected an http:// or https:// URL (line 2)',
    ],
    [
      '[alerts]\nsmtp_url = "mail.local"\nemail_to = ["a@b.c"]',
      'config alerts.smtp_url: expected an smtp:// or smtps:// URL such as "smtp://user:pass@mail.local:587" (line 2)',
    ],
    [
      '[alerts]\nemail_to = ["a@b.c"]',
      'config alerts.email_to: expected alerts.smtp_url too: e-mail needs a server to send through (line 2)',
    ],
    [
      '[alerts]\nsmtp_url = "smtp://mail.local:25"',
      'config alerts.smtp_url: expected alerts.email_to too: whom to send the alerts to (line 2)',
    ],
    [
      '[alerts]\nsuccess_rate_below = 1.5',
      'config alerts.success_rate_below: expected a number > 0 and <= 1, got 1.5 (line 2)',
    ],
    ['[alerts]\nfirst_events = -1', 'config alerts.first_events: expected an integer >= 0, got -1 (line 2)'],
  ])('refuses %j naming the key and line', (text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it('never shows a proxy password in its error', () => {
    const [p] = problemsOf('[cloud]\nproxy = "ftp://user:s3cret@p:21"');
    expect(p).not.toContain('s3cret');
    expect(p).toContain('user:****@');
  });

  it("takes a known zone as it is, and this PC's zone when it is left out", () => {
    expect(configOf('[site]\ntimezone = "America/Sao_Paulo"').site.timezone).toBe('America/Sao_Paulo');
    expect(configOf('[site]\nname = "Cantina"').site).toEqual({
      name: 'Cantina',
      timezone: hostTimeZone(),
      id: '',
      language: detectLanguage({}),
    });
  });

  it('shows URLs with secrets masked in the redacted config', () => {
    const c = configOf(
      '[cloud]\nproxy = "http://u:pw@proxy:3128"\n[alerts]\nwebhook_url = "https://hooks.slack.com/services/T00/B00/XXXXSECRET"\nsmtp_url = "smtp://me:mailpw@mail:587"\nemail_to = ["ops@example.com"]',
    );
    const shown = JSON.stringify(redactConfig(c));
    for (const secret of ['pw@', 'XXXXSECRET', 'mailpw']) expect(shown).not.toContain(secret);
    expect(shown).toContain('http://u:****@proxy:3128/');
    expect(shown).toContain('https://hooks.slack.com/services…');
  });
});
