/**
 * Which addresses `server.host` stands for. "localhost" (the default) is both
 * loopbacks: 127.0.0.1, and ::1, where Windows and some clients resolve
 * localhost first; a POS configured with http://localhost:8080 must reach
 * the relay either way. Bun itself binds "localhost" to 127.0.0.1 only.
 */

export const LOCALHOST = 'localhost';
/** What "localhost" is listened on as, IPv4 first (the relay's own URL and its "relay started" line). */
export const LOOPBACKS = ['127.0.0.1', '::1'] as const;

export interface ListenAddress {
  /** An address Bun can bind: an IPv4 or IPv6 literal (no brackets) or a name. */
  host: string;
  /**
   * Implied by "localhost" rather than written: where the system has no such
   * address (IPv6 turned off), the relay starts without it and says so.
   */
  optional: boolean;
}

const unbracket = (h: string): string => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

/** `server.host`, a string or a list, as the addresses to listen on, first as given, each once. */
export function listenAddresses(host: string | readonly string[]): ListenAddress[] {
  const out: ListenAddress[] = [];
  const add = (h: string, optional: boolean) => {
    const i = out.findIndex((a) => a.host === h);
    if (i === -1) out.push({ host: h, optional });
    else if (!optional) out[i] = { host: h, optional: false };
  };
  for (const given of typeof host === 'string' ? [host] : host) {
    const h = unbracket(given.trim());
    if (h.toLowerCase() === LOCALHOST) {
      add(LOOPBACKS[0], false);
      add(LOOPBACKS[1], true);
    } else add(h, false);
  }
  return out;
}

/** host:port as a URL authority: an IPv6 literal in brackets (RFC 3986 section 3.2.2). */
export const authority = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** A wildcard address: every interface of its family. */
export const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

/**
 * Why a list of addresses cannot all be listened on, or null: a wildcard
 * already takes the port on every address, so another address beside it
 * fails to bind.
 */
export function listenConflict(host: string | readonly string[]): string | null {
  const all = listenAddresses(host);
  const wild = all.find((a) => isWildcard(a.host));
  if (wild && all.length > 1) {
    return `expected ${JSON.stringify(wild.host)} alone: it already listens on every address, so ${all
      .filter((a) => a !== wild)
      .map((a) => JSON.stringify(a.host))
      .join(', ')} beside it cannot be listened on too`;
  }
  return null;
}
