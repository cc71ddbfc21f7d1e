/**
 * Which proxy a request to the cloud goes through, decided here and passed
 * to fetch explicitly. Bun's fetch would read HTTP(S)_PROXY and NO_PROXY on
 * its own, but then the choice is invisible: the doctor could not name the
 * proxy, an error could not say it was the proxy's, and `cloud.proxy` could
 * not win over the environment. So every cloud request carries `proxy:` (a
 * URL with `respectNoProxy: false`, NO_PROXY having been applied here), or
 * `proxy: false`. Table-tested in test/unit/forward-proxy.test.ts.
 */
import { BlockList, isIP } from 'node:net';
import { maskUrl } from '../lib/mask.ts';

export type ProxyEnv = Record<string, string | undefined>;

/**
 * The route to the cloud. `url` null: direct. `from` names what decided it,
 * for messages: "cloud.proxy", the environment variable that gave the proxy
 * ("HTTPS_PROXY"), the one that bypassed it ("no_proxy"), or "" (nothing set).
 */
export interface ProxyRoute {
  url: string | null;
  from: string;
}

/** The proxy URL for a request to `cloudUrl`, or null for a direct connection. */
export function proxyFor(cloudUrl: string, configProxy: string, env: ProxyEnv): string | null {
  return resolveProxy(cloudUrl, configProxy, env).url;
}

/**
 * `cloud.proxy` when set: used for every request, NO_PROXY or not (the
 * technician named it for this relay). Otherwise the environment, as curl
 * reads it: lower case first, `https_proxy` for an https:// cloud,
 * `http_proxy` for http://, `all_proxy` for either when that is unset; an
 * empty value is unset; no scheme means http://; a value that is not an
 * http(s) proxy (socks5://, garbage) is ignored, as Bun ignores it. Then
 * `no_proxy` (see noProxyMatches) may send the request direct.
 */
export function resolveProxy(cloudUrl: string, configProxy: string, env: ProxyEnv): ProxyRoute {
  if (configProxy !== '') return { url: configProxy, from: 'cloud.proxy' };
  if (!URL.canParse(cloudUrl)) return { url: null, from: '' };
  const target = new URL(cloudUrl);
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const found = envValue(env, `${scheme}_proxy`) ?? envValue(env, 'all_proxy');
  if (!found) return { url: null, from: '' };
  const url = proxyUrl(found.value);
  if (url === null) return { url: null, from: '' };
  const noProxy = envValue(env, 'no_proxy');
  if (noProxy && noProxyMatches(target, noProxy.value)) return { url: null, from: noProxy.name };
  return { url, from: found.name };
}

function envValue(env: ProxyEnv, lower: string): { name: string; value: string } | undefined {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function proxyUrl(value: string): string | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  if (!URL.canParse(withScheme)) return null;
  const u = new URL(withScheme);
  return u.protocol === 'http:' || u.protocol === 'https:' ? withScheme : null;
}

/**
 * NO_PROXY, by curl's rules plus what Bun's table adds: entries split on
 * commas or whitespace; `*` alone matches every host; `example.com`,
 * `.example.com` and `*.example.com` match that domain and its subdomains
 * (never `badexample.com`); an IP matches itself, a CIDR block its addresses;
 * `host:port` (IPv6 as `[::1]:port`) matches that port only. Case-insensitive.
 */
export function noProxyMatches(target: URL, list: string): boolean {
  const host = bare(target.hostname).toLowerCase().replace(/\.$/, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitPort(entry);
    if (entryPort !== null && entryPort !== port) continue;
    if (hostMatches(host, name)) return true;
  }
  return false;
}

function splitPort(entry: string): { name: string; entryPort: string | null } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { name: v6[1]!, entryPort: v6[2] ?? null };
  // More than one colon without brackets: a bare IPv6 address (or block), no port.
  if ((entry.match(/:/g) ?? []).length > 1) return { name: entry, entryPort: null };
  const m = /^(.*):(\d+)$/.exec(entry);
  return m ? { name: m[1]!, entryPort: m[2]! } : { name: entry, entryPort: null };
}

function hostMatches(host: string, name: string): boolean {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(name);
  if (cidr) return inBlock(host, cidr[1]!, Number(cidr[2]));
  if (isIP(name) !== 0) return isIP(host) !== 0 && sameIp(host, name);
  const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
  if (domain === '') return false;
  return host === domain || host.endsWith(`.${domain}`);
}

function sameIp(a: string, b: string): boolean {
  const type = isIP(b) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(a) !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(b, type);
  return list.check(a, type);
}

function inBlock(host: string, net: string, bits: number): boolean {
  const kind = isIP(net);
  if (kind === 0 || isIP(host) !== kind || bits > (kind === 4 ? 32 : 128)) return false;
  const type = kind === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  list.addSubnet(net, bits, type);
  return list.check(host, type);
}

const bare = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/** The fetch option for a route: the proxy itself (NO_PROXY already applied), or false for direct. */
export function fetchProxy(url: string | null | undefined): { url: string; respectNoProxy: false } | false {
  return url ? { url, respectNoProxy: false } : false;
}

/** A proxy as shown anywhere: password masked, no trailing "/" ("http://user:****@proxy:3128"). */
export function showProxy(url: string): string {
  const shown = maskUrl(url);
  return shown.endsWith('/') && URL.canParse(url) && new URL(url).pathname === '/' ? shown.slice(0, -1) : shown;
}
