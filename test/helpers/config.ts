/**
 * The one config builder of the tests. A test relay is described once, as
 * overrides on TEST_BASE; `buildToml` writes that as the relay.toml the
 * binary and the CLI read, and `buildConfig` is the Config object an
 * in-process relay gets, parsed from that very text by the relay's own
 * loader. So the two kinds of test relay cannot drift apart, and a setting
 * the loader would refuse fails the test that asks for it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, parseConfig } from '../../src/config/index.ts';

export const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41';
export const TOKEN2 = '7f3c2a91-7c2e-4a41-8d3f-5be09c6a1f27';
export const INACTIVE = '019ab6ee-0000-7000-8000-000000000000';

/** A [[tokens]] entry; name and active take the loader's defaults when left out. */
export interface TokenEntry {
  token: string;
  name?: string;
  active?: boolean;
}

type Section = Exclude<keyof Config, 'tokens'>;

/** Any keys of any section; `tokens`, when given, replaces the whole list. */
export type ConfigOver = { [K in Section]?: Partial<Config[K]> } & { tokens?: TokenEntry[] };

/** Main POS and Bar active, Old inactive: the tokens most tests post with. */
export const TEST_TOKENS: TokenEntry[] = [
  { token: TOKEN, name: 'Main POS' },
  { token: TOKEN2, name: 'Bar' },
  { token: INACTIVE, name: 'Old', active: false },
];

/**
 * What every test relay runs with unless told otherwise: port 0 (the relay
 * reports the port it got), a spool beside the config file, retries in tens
 * of milliseconds, a cloud URL that refuses connections (port 9, discard),
 * and English for what people read.
 */
export const TEST_BASE: ConfigOver = {
  server: { host: '127.0.0.1', port: 0 },
  spool: { path: 'spool.db' },
  cloud: { url: 'http://127.0.0.1:9', timeout_seconds: 2 },
  forward: { initial_backoff_seconds: 0.02, max_backoff_seconds: 0.2 },
  // The tests read English whatever this PC's language ([site] language "" would follow LANG).
  site: { language: 'en' },
  tokens: TEST_TOKENS,
};

/** Section by section, later layers win; a later `tokens` replaces the list. */
export function mergeOver(...layers: ConfigOver[]): ConfigOver {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      out[k] = k === 'tokens' ? v : { ...(out[k] as object | undefined), ...(v as object) };
    }
  }
  return out as ConfigOver;
}

/** Sections in the order `relay init` writes them; [[tokens]] last, before any extra text. */
const SECTIONS: Section[] = [
  'server',
  'spool',
  'cloud',
  'forward',
  'limits',
  'admin',
  'log',
  'site',
  'warnings',
  'alerts',
];

function tomlValue(v: unknown, key: string): string {
  if (typeof v === 'string') return JSON.stringify(v); // a JSON string is a TOML basic string
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => tomlValue(x, key)).join(', ')}]`;
  throw new Error(`test config: ${key} = ${String(v)} has no TOML form`);
}

/** Exactly the keys of `over` as TOML, nothing assumed (the bench writes its own base). */
export function tomlOf(over: ConfigOver, extra = ''): string {
  const lines: string[] = [];
  for (const section of SECTIONS) {
    const values = over[section];
    if (!values) continue;
    lines.push(`[${section}]`);
    for (const [k, v] of Object.entries(values))
      if (v !== undefined) lines.push(`${k} = ${tomlValue(v, `${section}.${k}`)}`);
  }
  for (const t of over.tokens ?? []) {
    lines.push('[[tokens]]', `token = ${tomlValue(t.token, 'tokens.token')}`);
    if (t.name !== undefined) lines.push(`name = ${tomlValue(t.name, 'tokens.name')}`);
    if (t.active !== undefined) lines.push(`active = ${t.active}`);
  }
  if (extra) lines.push(extra);
  return `${lines.join('\n')}\n`;
}

/**
 * TEST_BASE with `over` as a relay.toml. Relative paths (the spool, TLS
 * files, log.file) are relative to the folder the file is written in.
 * `extra` is raw TOML appended as is: a mistake to see refused, say.
 */
export function buildToml(over: ConfigOver = {}, extra = ''): string {
  return tomlOf(mergeOver(TEST_BASE, over), extra);
}

/** Writes buildToml(over) as `dir/name` and returns its path. */
export function writeToml(dir: string, over: ConfigOver = {}, opts: { name?: string; extra?: string } = {}): string {
  const path = join(dir, opts.name ?? 'relay.toml');
  writeFileSync(path, buildToml(over, opts.extra));
  return path;
}

/**
 * The Config an in-process relay gets for the same overrides: buildToml's
 * text read by the relay's own parser as if it were `dir/relay.toml`.
 * `${VAR}` values are substituted from `env` (none by default).
 */
export function buildConfig(dir: string, over: ConfigOver = {}, env: Record<string, string> = {}): Config {
  const path = join(dir, 'relay.toml');
  const r = parseConfig(buildToml(over), { path, env });
  if (!r.ok) throw new Error(`the test config is one the relay refuses:\n${r.problems.join('\n')}`);
  return r.config;
}
