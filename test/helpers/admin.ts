import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config/index.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { type Relay, startRelay } from '../../src/relay.ts';
import { buildToml, type ConfigOver, mergeOver } from './config.ts';
import { tempDir } from './temp.ts';

/**
 * A real relay started from a real config file in a temp dir, with
 * `reloadConfig` re-reading that file as `relay serve` does, so the status
 * page's Reload button and the admin password are tested end to end.
 */

export interface AdminConfigOpts {
  password?: string;
  host?: string;
  cloudUrl?: string;
  tokens?: { token: string; name?: string; active?: boolean }[];
  ratePerToken?: number;
  /** "silent" unless given; the binary helpers need "info" to see "relay started". */
  logLevel?: string;
  /** Raw TOML appended as is (e.g. a mistake, to see the reload refused). */
  extra?: string;
  /** Any other settings, applied last (helpers/config.ts). */
  config?: ConfigOver;
  /** The relay's clock (a FakeClock: what the page counts per interval lands where the test says). */
  clock?: Clock;
}

/** AdminConfigOpts as overrides of the one builder (helpers/config.ts). */
function adminOver(dir: string, o: AdminConfigOpts): ConfigOver {
  return mergeOver(
    {
      server: { host: o.host ?? '127.0.0.1' },
      spool: { path: join(dir, 'spool.db') },
      ...(o.cloudUrl ? { cloud: { url: o.cloudUrl } } : {}),
      limits: { rate_per_token: o.ratePerToken ?? 1000, burst_per_token: 10000 },
      admin: { password: o.password ?? '' },
      log: { level: (o.logLevel ?? 'silent') as Config['log']['level'] },
      ...(o.tokens ? { tokens: o.tokens } : {}),
    },
    o.config ?? {},
  );
}

/** The relay.toml of an admin relay in `dir` (its spool at dir/spool.db, whatever folder the file is in). */
export function configToml(dir: string, o: AdminConfigOpts = {}): string {
  return buildToml(adminOver(dir, o), o.extra ?? '');
}

export interface AdminRelay {
  relay: Relay;
  url: string;
  dir: string;
  configPath: string;
  config: Config;
  /** Rewrites the config file (the relay sees it only on reload). */
  writeConfig(o: AdminConfigOpts): void;
  /** GET/POST on the admin surface with the Basic credentials (if a password is set) and the action header on POST. */
  admin(path: string, init?: RequestInit & { auth?: string | null }): Promise<Response>;
  stop(): Promise<void>;
}

export const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

export async function startAdminRelay(o: AdminConfigOpts = {}): Promise<AdminRelay> {
  const tmp = tempDir('relay-admin-');
  const configPath = join(tmp.dir, 'relay.toml');
  const write = (opts: AdminConfigOpts) => writeFileSync(configPath, configToml(tmp.dir, opts));
  write(o);
  const loaded = loadConfig(configPath);
  if (!loaded.ok) throw new Error(`test config ${configPath} is invalid: ${loaded.problems.join('; ')}`);
  const relay = await startRelay(loaded.config, {
    log: silentLogger,
    clock: o.clock,
    reloadConfig: () => {
      const r = loadConfig(configPath);
      return r.ok ? { ok: true, config: r.config } : { ok: false, problems: r.problems };
    },
  });
  const password = o.password ?? '';
  return {
    relay,
    url: relay.url,
    dir: tmp.dir,
    configPath,
    config: loaded.config,
    writeConfig: write,
    admin(path, init = {}) {
      const { auth, ...rest } = init;
      const headers = new Headers(rest.headers);
      const credentials = auth === undefined ? (password ? basic('admin', password) : null) : auth;
      if (credentials) headers.set('authorization', credentials);
      if ((rest.method ?? 'GET') !== 'GET' && !headers.has('x-relay-admin')) headers.set('x-relay-admin', '1');
      return fetch(`${relay.url}${path}`, { ...rest, headers });
    },
    async stop() {
      await relay.stop();
      tmp.cleanup();
    },
  };
}
