import { describe, expect, it } from 'bun:test';
import {
  classify,
  fetchProxy,
  noProxyMatches,
  type ProxyEnv,
  type ProxyRoute,
  proxyAnswer,
  proxyFailure,
  proxyFor,
  resolveProxy,
  scrubProxy,
  showProxy,
} from '../../src/forward/index.ts';

const HTTPS_CLOUD = 'https://api.emiliavision.com';
const HTTP_CLOUD = 'http://127.0.0.1:9';
const P = 'http://proxy.local:3128';
const Q = 'http://other.local:8080';

describe('proxyFor: which proxy a cloud request goes through', () => {
  const cases: [why: string, cloud: string, key: string, env: ProxyEnv, want: string | null][] = [
    ['nothing set: direct', HTTPS_CLOUD, '', {}, null],
    ['cloud.proxy wins over the environment', HTTPS_CLOUD, P, { HTTPS_PROXY: Q }, P],
    ['cloud.proxy even when NO_PROXY lists the cloud', HTTPS_CLOUD, P, { NO_PROXY: '*' }, P],
    ['cloud.proxy for an http:// cloud too', HTTP_CLOUD, P, {}, P],
    ['HTTPS_PROXY for an https:// cloud', HTTPS_CLOUD, '', { HTTPS_PROXY: P }, P],
    ['https_proxy for an https:// cloud', HTTPS_CLOUD, '', { https_proxy: P }, P],
    ['lower case first, as curl reads it', HTTPS_CLOUD, '', { https_proxy: P, HTTPS_PROXY: Q }, P],
    ['an empty lower-case value is unset', HTTPS_CLOUD, '', { https_proxy: '', HTTPS_PROXY: Q }, Q],
    ['HTTP_PROXY is not for an https:// cloud', HTTPS_CLOUD, '', { HTTP_PROXY: P }, null],
    ['HTTP_PROXY for an http:// cloud', HTTP_CLOUD, '', { HTTP_PROXY: P }, P],
    ['http_proxy for an http:// cloud', HTTP_CLOUD, '', { http_proxy: P }, P],
    ['HTTPS_PROXY is not for an http:// cloud', HTTP_CLOUD, '', { HTTPS_PROXY: P }, null],
    ['ALL_PROXY when the scheme has none', HTTPS_CLOUD, '', { ALL_PROXY: P }, P],
    ['the scheme-specific variable before ALL_PROXY', HTTPS_CLOUD, '', { ALL_PROXY: Q, HTTPS_PROXY: P }, P],
    ['no scheme means http://, as curl reads it', HTTPS_CLOUD, '', { HTTPS_PROXY: 'proxy.local:3128' }, P],
    ['an https:// proxy is a proxy', HTTPS_CLOUD, '', { HTTPS_PROXY: 'https://p:443' }, 'https://p:443'],
    ['credentials are kept', HTTPS_CLOUD, '', { HTTPS_PROXY: 'http://u:pw@p:1' }, 'http://u:pw@p:1'],
    ['socks5:// is not an HTTP proxy: ignored', HTTPS_CLOUD, '', { HTTPS_PROXY: 'socks5://p:1080' }, null],
    ['whitespace only is unset', HTTPS_CLOUD, '', { HTTPS_PROXY: '  ' }, null],
    ['NO_PROXY bypasses an environment proxy', HTTPS_CLOUD, '', { HTTPS_PROXY: P, NO_PROXY: 'emiliavision.com' }, null],
    ['no_proxy too', HTTPS_CLOUD, '', { HTTPS_PROXY: P, no_proxy: '.emiliavision.com' }, null],
    ['NO_PROXY for other hosts leaves it', HTTPS_CLOUD, '', { HTTPS_PROXY: P, NO_PROXY: 'localhost,127.0.0.1' }, P],
    ['no_proxy before NO_PROXY', HTTPS_CLOUD, '', { HTTPS_PROXY: P, no_proxy: 'x.org', NO_PROXY: '*' }, P],
    ['an empty no_proxy is unset', HTTPS_CLOUD, '', { HTTPS_PROXY: P, no_proxy: '', NO_PROXY: '*' }, null],
  ];
  it.each(cases)('%s', (_why, cloud, key, env, want) => {
    expect(proxyFor(cloud, key, env)).toBe(want);
  });

  it('names what decided the route, for messages', () => {
    expect(resolveProxy(HTTPS_CLOUD, P, {})).toEqual({ url: P, from: 'cloud.proxy' });
    expect(resolveProxy(HTTPS_CLOUD, '', { https_proxy: P })).toEqual({ url: P, from: 'https_proxy' });
    expect(resolveProxy(HTTPS_CLOUD, '', { HTTPS_PROXY: P, NO_PROXY: '*' })).toEqual({ url: null, from: 'NO_PROXY' });
    expect(resolveProxy(HTTPS_CLOUD, '', {})).toEqual({ url: null, from: '' });
  });

  it('hands fetch the proxy with NO_PROXY already applied, or false (never the environment)', () => {
    expect(fetchProxy(P)).toEqual({ url: P, respectNoProxy: false });
    expect(fetchProxy(null)).toBe(false);
    expect(fetchProxy(undefined)).toBe(false);
  });
});

describe('noProxyMatches: NO_PROXY by curl rules', () => {
  const cases: [url: string, list: string, match: boolean][] = [
    ['https://api.emiliavision.com', '*', true],
    ['https://api.emiliavision.com', 'localhost, *', true],
    ['https://api.emiliavision.com', 'api.emiliavision.com', true],
    ['https://api.emiliavision.com', 'emiliavision.com', true],
    ['https://emiliavision.com', 'emiliavision.com', true],
    ['https://api.emiliavision.com', '.emiliavision.com', true],
    ['https://emiliavision.com', '.emiliavision.com', true],
    ['https://api.emiliavision.com', '*.emiliavision.com', true],
    ['https://api.emiliavision.com', 'liavision.com', false],
    ['https://api.emiliavision.com', 'emiliavision.org', false],
    ['https://api.emiliavision.com', 'other.emiliavision.com', false],
    ['https://api.emiliavision.com', 'API.EmiliaVision.COM', true],
    ['https://api.emiliavision.com.', 'emiliavision.com', true],
    ['https://api.emiliavision.com', 'emiliavision.com.', true],
    ['https://api.emiliavision.com', 'a.org,emiliavision.com', true],
    ['https://api.emiliavision.com', 'a.org emiliavision.com', true],
    ['https://api.emiliavision.com', ' , ,', false],
    ['https://api.emiliavision.com', 'api.emiliavision.com:443', true],
    ['https://api.emiliavision.com', 'api.emiliavision.com:8443', false],
    ['http://api.emiliavision.com', 'api.emiliavision.com:80', true],
    ['http://127.0.0.1:9', '127.0.0.1', true],
    ['http://127.0.0.1:9', '127.0.0.1:9', true],
    ['http://127.0.0.1:9', '127.0.0.1:10', false],
    ['http://127.0.0.2:9', '127.0.0.1', false],
    ['http://10.1.2.3', '10.0.0.0/8', true],
    ['http://11.1.2.3', '10.0.0.0/8', false],
    ['http://[::1]:8080', '::1', true],
    ['http://[::1]:8080', '[::1]', true],
    ['http://[::1]:8080', '[::1]:8080', true],
    ['http://[::1]:8080', '[::1]:9', false],
    ['http://[fd12::1]', 'fd00::/8', true],
    ['http://[fe80::1]', 'fd00::/8', false],
    ['http://127.0.0.1', '::1', false],
    ['http://api.emiliavision.com', '10.0.0.0/8', false],
  ];
  it.each(cases)('%s with NO_PROXY=%p: %p', (url, list, match) => {
    expect(noProxyMatches(new URL(url), list)).toBe(match);
  });
});

describe('a proxy refusal keeps the event: classify', () => {
  it.each([
    [407, 'retry'],
    [401, 'pause'],
    [403, 'dead'],
    [null, 'retry'],
  ] as const)('%p → %p (407 is the proxy, the cloud never saw the event)', (status, verdict) => {
    expect(classify(status)).toBe(verdict);
  });
});

describe('proxy failures, in words a technician can act on', () => {
  const withCreds: ProxyRoute = { url: 'http://relay:s3cret@proxy.local:3128', from: 'cloud.proxy' };
  const noCreds: ProxyRoute = { url: 'http://proxy.local:3128', from: 'HTTPS_PROXY' };
  const tunnel = (status: number, statusText: string) =>
    Object.assign(new Error('x'), { code: 'ERR_PROXY_TUNNEL', status, statusText });
  const cases: [why: string, e: unknown, route: ProxyRoute, want: string | undefined][] = [
    [
      'CONNECT 407 with credentials',
      tunnel(407, 'Proxy Authentication Required'),
      withCreds,
      "proxy http://relay:****@proxy.local:3128 refused the relay's credentials (CONNECT answered 407 Proxy Authentication Required): check the user and password in cloud.proxy in the config",
    ],
    [
      'CONNECT 401 (tinyproxy, wrong password)',
      tunnel(401, 'Unauthorized'),
      withCreds,
      "proxy http://relay:****@proxy.local:3128 refused the relay's credentials (CONNECT answered 401 Unauthorized): check the user and password in cloud.proxy in the config",
    ],
    [
      'CONNECT 407 without credentials',
      tunnel(407, 'Proxy Authentication Required'),
      noCreds,
      'proxy http://proxy.local:3128 asks for a user and password (CONNECT answered 407 Proxy Authentication Required): put them in the HTTPS_PROXY environment variable as http://user:password@host:port',
    ],
    [
      'CONNECT refused by the proxy',
      tunnel(403, 'Access violation'),
      noCreds,
      'proxy http://proxy.local:3128 refused a tunnel to api.emiliavision.com:443 (CONNECT answered 403 Access violation): the proxy must allow HTTPS (CONNECT) to that host and port; ask whoever runs the proxy',
    ],
    [
      'CONNECT failed upstream',
      tunnel(500, 'Unable to connect'),
      noCreds,
      "proxy http://proxy.local:3128 could not reach api.emiliavision.com:443 (CONNECT answered 500 Unable to connect): the proxy has no way to the cloud; check the proxy's own internet access",
    ],
    [
      'the proxy is not there',
      Object.assign(new TypeError('Unable to connect.'), { code: 'ECONNREFUSED' }),
      withCreds,
      'cannot connect to proxy http://relay:****@proxy.local:3128: connection refused; check that the proxy is running and that cloud.proxy in the config names its host and port',
    ],
    [
      "the proxy's name does not resolve",
      Object.assign(new TypeError('getaddrinfo ENOTFOUND proxy.local'), { code: 'ENOTFOUND', hostname: 'proxy.local' }),
      noCreds,
      "cannot find the proxy's host proxy.local (DNS lookup failed): check the HTTPS_PROXY environment variable",
    ],
    [
      'a reset says nothing of the proxy',
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      noCreds,
      undefined,
    ],
    ['direct: never the proxy', tunnel(407, 'x'), { url: null, from: '' }, undefined],
  ];
  it.each(cases)('%s', (_why, e, route, want) => {
    const got = proxyFailure(e, route, 'https://api.emiliavision.com/webhooks/v1/pos/t');
    expect(got).toBe(want);
    expect(got ?? '').not.toContain('s3cret');
  });

  it("reads an http:// cloud's 407 as the proxy's, nothing else", () => {
    expect(proxyAnswer(407, 'Proxy Authentication Required', withCreds)).toBe(
      "proxy http://relay:****@proxy.local:3128 refused the relay's credentials (it answered 407 Proxy Authentication Required): check the user and password in cloud.proxy in the config",
    );
    expect(proxyAnswer(401, 'Unauthorized', withCreds)).toBeUndefined();
    expect(proxyAnswer(502, 'Bad Gateway', withCreds)).toBeUndefined();
    expect(proxyAnswer(407, 'x', { url: null, from: '' })).toBeUndefined();
  });

  it('shows a proxy without its password or a bare trailing slash', () => {
    expect(showProxy('http://user:pw@proxy:3128')).toBe('http://user:****@proxy:3128');
    expect(showProxy('http://proxy:3128/')).toBe('http://proxy:3128');
    expect(showProxy('http://proxy:3128/x/')).toBe('http://proxy:3128/x/');
    expect(scrubProxy('via http://user:p%40ss@proxy failed', { url: 'http://user:p%40ss@proxy', from: 'x' })).toBe(
      'via http://user:****@proxy failed',
    );
    expect(scrubProxy('user:p@ss@proxy', { url: 'http://user:p%40ss@proxy', from: 'x' })).toBe('user:****@proxy');
  });
});
