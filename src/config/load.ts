import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { detectLanguage } from '../i18n/index.ts';
import { maskHeaders, maskToken, maskUrl } from '../lib/mask.ts';
import { crossChecks, type Problem, type Segment } from './checks.ts';
import { type Config, ConfigSchema } from './schema.ts';

export type ConfigResult = { ok: true; config: Config; path: string } | { ok: false; problems: string[]; path: string };

type Env = Record<string, string | undefined>;

export function parseConfig(text: string, opts: { path: string; env?: Env }): ConfigResult {
  const { path } = opts;
  let raw: unknown;
  try {
    raw = Bun.TOML.parse(text);
  } catch (error) {
    // Bun's error .line/.column point at the JavaScript caller, not at the
    // TOML text, so the line is found by re-parsing prefixes instead.
    const message = error instanceof Error ? error.message : String(error);
    const line = syntaxErrorLine(text);
    return { ok: false, path, problems: [`config ${path}${line ? ` line ${line}` : ''}: ${message}`] };
  }

  const problems: Problem[] = [];
  const unresolved = new Set<string>();
  const substituted = substitute(raw, [], opts.env ?? process.env, problems, unresolved);
  const value = Value.Default(ConfigSchema, substituted);

  const seen = new Set<string>();
  for (const error of Value.Errors(ConfigSchema, value)) {
    // A missing key yields both "required" and "wrong type"; one line per key is enough.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    problems.push(describe(error.type, error.schema, pointerToSegments(error.path, value), error.value));
  }
  problems.push(...crossChecks(value, unresolved));

  if (problems.length > 0) return { ok: false, path, problems: render(problems, text) };
  const config = value as Config; // Value.Errors found nothing, so the value matches the schema.
  config.cloud.url = config.cloud.url.replace(/\/+$/, '');
  // libsql's in-memory database is a name, not a file to resolve.
  if (config.spool.path !== ':memory:' && !isAbsolute(config.spool.path)) {
    config.spool.path = resolve(dirname(path), config.spool.path);
  }
  for (const k of ['tls_cert', 'tls_key'] as const) {
    if (config.server[k] !== '') config.server[k] = resolve(dirname(path), config.server[k]);
  }
  if (config.log.file !== '') config.log.file = resolve(dirname(path), config.log.file);
  if (config.site.timezone === '') config.site.timezone = hostTimeZone();
  if (config.site.language === '') config.site.language = detectLanguage(opts.env ?? process.env);
  return { ok: true, config, path };
}

export function loadConfig(path: string, env: Env = process.env): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const detail = code && !message.startsWith(code) ? `${code}: ${message}` : message;
    return { ok: false, path, problems: [`config ${path}: cannot read (${detail})`] };
  }
  return parseConfig(text, { path, env });
}

/** --config wins, then ./relay.toml in cwd, then $RELAY_CONFIG; paths come back absolute. */
export function resolveConfigPath(explicit: string | undefined, opts: { cwd: string; env: Env }): string | undefined {
  if (explicit) return resolve(opts.cwd, explicit);
  const local = join(opts.cwd, 'relay.toml');
  if (existsSync(local)) return local;
  const fromEnv = opts.env.RELAY_CONFIG;
  return fromEnv ? resolve(opts.cwd, fromEnv) : undefined;
}

export function redactConfig(config: Config): unknown {
  const copy = structuredClone(config);
  for (const entry of copy.tokens) entry.token = maskToken(entry.token);
  if (copy.admin.password !== '') copy.admin.password = '********';
  copy.cloud.proxy = maskUrl(copy.cloud.proxy);
  copy.alerts.smtp_url = maskUrl(copy.alerts.smtp_url);
  copy.alerts.webhook_url = maskUrl(copy.alerts.webhook_url, { path: true });
  copy.telemetry.endpoint = maskUrl(copy.telemetry.endpoint);
  copy.telemetry.headers = maskHeaders(copy.telemetry.headers);
  return copy;
}

/** This PC's IANA zone, as Bun's Intl reads it (TZ, else the system's setting). */
export const hostTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function defaultConfig(): Config {
  // TypeBox clones each default, so callers may mutate the result freely.
  return Value.Default(ConfigSchema, {}) as Config;
}

// ---------------------------------------------------------------- internals

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Copies the parsed TOML, replacing ${NAME} in strings and date-times by opaque symbols. */
function substitute(value: unknown, at: Segment[], env: Env, problems: Problem[], unresolved: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (ref, name: string) => {
      const found = env[name];
      if (found !== undefined) return found;
      problems.push({ at, text: `environment variable ${name} is not set` });
      unresolved.add(keyPath(at));
      return ref;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, [...at, i], env, problems, unresolved));
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    // TOML date-times arrive as Temporal objects; TypeBox would treat them as
    // tables. No key takes a date, so a symbol makes them fail every check.
    if (proto !== Object.prototype && proto !== null) return Symbol(String(value));
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, [...at, k], env, problems, unresolved)]),
    );
  }
  return value;
}

function describe(type: ValueErrorType, schema: TSchema, at: Segment[], got: unknown): Problem {
  if (type === ValueErrorType.ObjectAdditionalProperties) {
    const allowed = Object.keys((schema as { properties?: object }).properties ?? {}).join(', ');
    return { at, text: `unknown key (allowed: ${allowed})` };
  }
  const expected: unknown = schema.expected;
  return { at, text: `expected ${typeof expected === 'string' ? expected : 'a valid value'}, got ${show(got, at)}` };
}

/** How a value the technician wrote is shown back; a token's value, or a string where a token entry belongs, is masked. */
function show(got: unknown, at: Segment[]): string {
  if (got === undefined) return 'nothing';
  // telemetry.headers hold API keys: shown like tokens.
  const maybeToken =
    (at[0] === 'tokens' && (at.length <= 2 || at[2] === 'token')) || (at[0] === 'telemetry' && at[1] === 'headers');
  if (typeof got === 'string') return JSON.stringify(maybeToken && got !== '' ? maskToken(got) : got);
  // A token written without quotes is still a secret: its digits are masked like any token's.
  if (maybeToken && (typeof got === 'number' || typeof got === 'bigint')) return `the number ${maskToken(String(got))}`;
  if (typeof got === 'number')
    return Number.isNaN(got) ? 'nan' : got === Infinity ? 'inf' : got === -Infinity ? '-inf' : String(got);
  if (typeof got === 'symbol') return `a date-time (${got.description})`;
  if (Array.isArray(got)) return 'an array';
  if (got !== null && typeof got === 'object') return 'a table';
  return String(got);
}

/** TypeBox reports JSON pointers; walking the value tells array indexes from keys like "0". */
function pointerToSegments(pointer: string, root: unknown): Segment[] {
  const segments: Segment[] = [];
  let node = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return segments;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function keyPath(at: Segment[]): string {
  return at
    .map((s, i) =>
      typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${BARE_KEY.test(s) ? s : JSON.stringify(s)}`,
    )
    .join('');
}

function render(problems: Problem[], text: string): string[] {
  const lines = lineIndex(text);
  const located = problems.map((p) => ({ key: keyPath(p.at), text: p.text, line: locate(p.at, lines) }));
  // Reading order helps whoever fixes the file; problems without a line go last.
  located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return located.map((p) => `config ${p.key || '(root)'}: ${p.text}${p.line ? ` (line ${p.line})` : ''}`);
}

/** The line of a key, else of its nearest enclosing table or entry that has one. */
function locate(at: Segment[], lines: Map<string, number>): number | undefined {
  for (let n = at.length; n > 0; n--) {
    const line = lines.get(keyPath(at.slice(0, n)));
    if (line !== undefined) return line;
  }
  return undefined;
}

const KEY_PART = /[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'/g;
const KEY_LINE =
  /^((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=/;

function splitKey(dotted: string): string[] {
  return (dotted.match(KEY_PART) ?? []).map((part) =>
    part.startsWith('"') ? (JSON.parse(part) as string) : part.startsWith("'") ? part.slice(1, -1) : part,
  );
}

/**
 * Best-effort map from key path to 1-based line: `[table]` headers, each
 * `[[array]]` header counted per index, then `key =` lines inside them.
 * Only runs on text that already parsed, so it need not reject bad TOML.
 */
function lineIndex(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const remember = (at: Segment[], n: number) => {
    const key = keyPath(at);
    if (!lines.has(key)) lines.set(key, n);
  };
  const arrayCounts = new Map<string, number>();
  let table: Segment[] = [];
  let inMultiline = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const quoteRuns = (line.match(/"""|'''/g) ?? []).length;
    if (inMultiline) {
      if (quoteRuns % 2 === 1) inMultiline = false;
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\[\[([^\]]+)\]\]/.exec(line))) {
      const name = splitKey(m[1] ?? '');
      const index = arrayCounts.get(keyPath(name)) ?? 0;
      arrayCounts.set(keyPath(name), index + 1);
      table = [...name, index];
      remember(name, i + 1);
      remember(table, i + 1);
    } else if ((m = /^\[([^\]]+)\]/.exec(line))) {
      table = splitKey(m[1] ?? '');
      remember(table, i + 1);
    } else if ((m = KEY_LINE.exec(line))) {
      remember([...table, ...splitKey(m[1] ?? '')], i + 1);
    }
    if (quoteRuns % 2 === 1) inMultiline = true;
  });
  return lines;
}

/** The line after the longest prefix of whole lines that still parses. */
function syntaxErrorLine(text: string): number | undefined {
  const lines = text.split('\n');
  // Quadratic, so give up on absurdly long files rather than stall `relay check`.
  if (lines.length > 5000) return undefined;
  for (let n = lines.length - 1; n > 0; n--) {
    try {
      Bun.TOML.parse(lines.slice(0, n).join('\n'));
      return n + 1;
    } catch {
      // still broken; try a shorter prefix
    }
  }
  return 1;
}
