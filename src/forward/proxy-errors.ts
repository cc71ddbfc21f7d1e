/**
 * What a failure through a proxy means, in words a technician can act on.
 * Through a proxy, "the cloud did not answer" hides three different faults
 * with three different fixes: the proxy refused our credentials, the proxy
 * would not (or could not) open a tunnel to the cloud, the proxy itself is not
 * there. The forwarder (its log and `cloud.last_error`) and `relay doctor`
 * say them the same way. Table-tested in test/unit/forward-proxy.test.ts.
 */
import { type ProxyRoute, showProxy } from './proxy.ts';

/** The parts of a Bun fetch error that tell the faults apart (ERR_PROXY_TUNNEL carries the proxy's status). */
interface FetchError {
  name?: string;
  code?: string;
  message?: string;
  status?: number;
  statusText?: string;
  hostname?: string;
}

/** "cloud.proxy in the config" or "the HTTPS_PROXY environment variable": where the technician fixes it. */
export function proxySource(route: ProxyRoute): string {
  return route.from === 'cloud.proxy' ? 'cloud.proxy in the config' : `the ${route.from} environment variable`;
}

const hasCredentials = (url: string): boolean => URL.canParse(url) && new URL(url).username !== '';

const statusLine = (status: number, text?: string): string => `${status}${text ? ` ${text}` : ''}`;

/**
 * A refusal of our credentials: 407 as RFC 9110 §15.5.8 has it, or a 401 to a
 * CONNECT (tinyproxy answers a wrong password with 401; the cloud never sees
 * a CONNECT, so it cannot be the cloud's).
 */
function credentialsRefused(route: ProxyRoute & { url: string }, how: string): string {
  const p = showProxy(route.url);
  return hasCredentials(route.url)
    ? `proxy ${p} refused the relay's credentials (${how}): check the user and password in ${proxySource(route)}`
    : `proxy ${p} asks for a user and password (${how}): put them in ${proxySource(route)} as http://user:password@host:port`;
}

/**
 * A proxy's own HTTP answer to a request for an http:// cloud (no CONNECT
 * there: the proxy forwards the request). Only 407 is unambiguously the
 * proxy's; anything else may be the cloud's and is read as the cloud's.
 */
export function proxyAnswer(status: number, statusText: string, route: ProxyRoute): string | undefined {
  if (route.url === null || status !== 407) return undefined;
  return credentialsRefused({ ...route, url: route.url }, `it answered ${statusLine(status, statusText)}`);
}

/**
 * A failed fetch through `route`, explained; undefined when the failure says
 * nothing about the proxy (direct, or e.g. a reset): the caller words it as
 * usual and may add `throughProxy(route)`. `target` is the cloud URL.
 */
export function proxyFailure(e: unknown, route: ProxyRoute, target: string): string | undefined {
  if (route.url === null) return undefined;
  const err = (e ?? {}) as FetchError;
  const r = { ...route, url: route.url };
  const p = showProxy(route.url);
  if (err.code === 'ERR_PROXY_TUNNEL' && typeof err.status === 'number') {
    const how = `CONNECT answered ${statusLine(err.status, err.statusText)}`;
    if (err.status === 407 || err.status === 401) return credentialsRefused(r, how);
    const t = URL.canParse(target) ? new URL(target) : null;
    const hostPort = t ? `${t.hostname}:${t.port || (t.protocol === 'https:' ? '443' : '80')}` : target;
    if (err.status >= 500) {
      return `proxy ${p} could not reach ${hostPort} (${how}): the proxy has no way to the cloud; check the proxy's own internet access`;
    }
    return `proxy ${p} refused a tunnel to ${hostPort} (${how}): the proxy must allow HTTPS (CONNECT) to that host and port; ask whoever runs the proxy`;
  }
  const code = err.code ?? '';
  const proxyHost = URL.canParse(route.url) ? new URL(route.url).hostname.replace(/^\[(.*)\]$/, '$1') : '';
  // Through a proxy the relay connects to the proxy only: a refused connection is the proxy's.
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') {
    return `cannot connect to proxy ${p}: connection refused; check that the proxy is running and that ${proxySource(r)} names its host and port`;
  }
  if ((code === 'ENOTFOUND' || code === 'EAI_AGAIN') && (err.hostname === undefined || err.hostname === proxyHost)) {
    return `cannot find the proxy's host ${proxyHost} (DNS lookup failed): check ${proxySource(r)}`;
  }
  return undefined;
}

/** " through proxy http://user:****@proxy:3128", or "" when direct: appended to other messages. */
export function throughProxy(route: ProxyRoute | null | undefined): string {
  return route?.url ? ` through proxy ${showProxy(route.url)}` : '';
}

/**
 * A fetch error's own text with any password of the proxy URL masked: Bun's
 * messages do not carry the proxy URL today, but an error text is shown on
 * the status page and in logs, and a future message must not leak it.
 */
export function scrubProxy(text: string, route: ProxyRoute | null | undefined): string {
  if (!route?.url || !URL.canParse(route.url)) return text;
  const pw = new URL(route.url).password;
  if (pw === '') return text;
  let out = text;
  for (const v of new Set([pw, safeDecode(pw)])) out = out.split(`:${v}@`).join(':****@');
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
