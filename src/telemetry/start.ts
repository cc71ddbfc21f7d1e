import { hostname } from 'node:os';
import type { Config } from '../config/index.ts';
import { resolveProxy } from '../forward/index.ts';
import type { Spool } from '../spool/index.ts';
import { makeSiteId } from './policy.ts';
import { startTelemetry, type Telemetry, type TelemetryDeps } from './push.ts';

/**
 * Starts pushing when `[telemetry] endpoint` is set; null when it is not.
 * The site id is `[site] id`, else the one the spool keeps (made on first
 * use). Never throws: a spool that cannot keep the id leaves telemetry off,
 * logged, and the relay runs on.
 */
export async function telemetryFor(
  config: Config,
  spool: Pick<Spool, 'siteId'>,
  version: string,
  deps: TelemetryDeps,
): Promise<Telemetry | null> {
  const t = config.telemetry;
  if (t.endpoint === '') return null;
  try {
    const siteId =
      config.site.id !== ''
        ? config.site.id
        : await spool.siteId(() => makeSiteId(hostname(), crypto.getRandomValues(new Uint8Array(4))));
    return startTelemetry(
      {
        endpoint: t.endpoint,
        headers: t.headers,
        intervalMs: t.interval_seconds * 1000,
        // cloud.proxy when set, else the environment's proxy for the collector, as curl reads it.
        proxy: resolveProxy(t.endpoint, config.cloud.proxy, process.env),
        siteId,
        siteName: config.site.name,
        version,
      },
      deps,
    );
  } catch (e) {
    deps.log.warn({ err: (e as Error).message }, 'telemetry not started: the site id could not be read or kept');
    return null;
  }
}
