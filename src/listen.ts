import type { Server } from 'bun';
import { authority, type Config, type ListenAddress, listenAddresses, listenError } from './config/index.ts';
import type { Logger } from './lib/log.ts';

/** What the relay's app needs to be served: Elysia listens once, other servers share its fetch. */
export interface Listenable {
  listen(options: Record<string, unknown>): unknown;
  readonly server: Server<unknown> | null;
  fetch: (request: Request) => Response | Promise<Response>;
}

export interface Listening {
  /** The first address's server (Elysia's): its hostname and port are the relay's URL. */
  server: Server<unknown>;
  /** host:port of every address listened on, the first first. */
  addresses: string[];
  /** Stops the servers beside the first (Elysia stops its own). */
  stopOthers(): Promise<void>;
}

/**
 * The port taken on this address by another program: fatal even for an
 * implied address, as a POS reaching localhost over it would reach that
 * program. Any other failure of an implied address (no IPv6 on this system,
 * or a platform that refuses it) leaves it out with a warning.
 */
const IN_USE = /EADDRINUSE|in use/i;

/**
 * Listens on every address `server.host` stands for (config listen.ts): the
 * app on the first, a Bun server sharing its fetch on each other, all on the
 * port the first got (server.port 0: one chosen port for all). An address
 * that cannot be listened on stops the start, naming it; one implied by
 * "localhost" that this system refuses (::1 with IPv6 off) is left out with
 * a warning, unless another program has the port there.
 */
export function listenAll(
  app: Listenable,
  config: Config['server'],
  options: Record<string, unknown>,
  tls: object | undefined,
  log: Logger,
): Listening {
  const [first, ...rest] = listenAddresses(config.host);
  const tlsOption = tls ? { tls } : {};
  try {
    app.listen({ hostname: first!.host, port: config.port, ...options, ...tlsOption });
  } catch (e) {
    throw listenError(config, tls !== undefined, e, first!.host);
  }
  const server = app.server!;
  const port = server.port as number;
  const others: Server<unknown>[] = [];
  const addresses = [authority(first!.host, port)];
  const stopOthers = async () => {
    await Promise.all(others.splice(0).map((s) => s.stop()));
  };
  for (const a of rest) {
    try {
      others.push(Bun.serve({ hostname: a.host, port, ...options, ...tlsOption, fetch: (r) => app.fetch(r) }));
      addresses.push(authority(a.host, port));
    } catch (e) {
      if (skippable(a, e)) {
        log.warn(
          { address: a.host, err: (e as Error).message },
          `not listening on ${a.host}: this system refused it (server.host "localhost" implies it; 127.0.0.1 is served)`,
        );
        continue;
      }
      void stopOthers();
      server.stop(true);
      throw listenError(config, tls !== undefined, e, a.host);
    }
  }
  return { server, addresses, stopOthers };
}

const skippable = (a: ListenAddress, e: unknown): boolean =>
  a.optional && !IN_USE.test(`${(e as { code?: string }).code ?? ''} ${(e as Error).message ?? e}`);
