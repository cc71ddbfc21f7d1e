import { createHash, timingSafeEqual } from 'node:crypto';
import { type Answer, refusal } from '../http/index.ts';
import type { Logins } from './logins.ts';

/**
 * Who may use the admin surface (status page, /admin/api/*, /metrics):
 * - `[admin] password` set: HTTP Basic (RFC 7617), user `admin`, from anywhere.
 * - no password: loopback clients only, and only under a loopback Host name,
 *   so a web page cannot reach it through DNS rebinding.
 * State-changing requests (POST) also need the `X-Relay-Admin` header: a
 * cross-site form cannot set it, and a cross-site fetch that does needs a
 * CORS preflight the relay never grants, so a page open in the technician's
 * browser cannot replay events or reload the config behind their back.
 * Wrong passwords slow their address down (login-policy.ts, logins.ts).
 */

export const ADMIN_USER = 'admin';
export const REALM = 'relay';
export const CSRF_HEADER = 'x-relay-admin';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant time in the credentials: both sides are hashed to 32 bytes first,
 * so neither the length nor the first differing byte shows in the timing.
 */
export function credentialsMatch(user: string, pass: string, password: string): boolean {
  return timingSafeEqual(sha256(`${user}:${pass}`), sha256(`${ADMIN_USER}:${password}`));
}

/** `Authorization: Basic base64(user:pass)`; the scheme is case-insensitive (RFC 7235 §2.1), the text UTF-8 (RFC 7617 §2.1). */
export function parseBasic(header: string | null): { user: string; pass: string } | undefined {
  if (!header) return undefined;
  const m = /^basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (::ffff:127.x.y.z). */
export function isLoopback(ip: string | null | undefined): boolean {
  if (!ip) return false;
  const v = ip
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (v === '::1' || v === '0:0:0:0:0:0:0:1') return true;
  const v4 = v.startsWith('::ffff:') ? v.slice(7) : v;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The Host header names this machine: localhost (and *.localhost, RFC 6761 §6.3), 127.x, or [::1]. */
export function isLoopbackHost(host: string | null): boolean {
  if (!host) return false;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return isLoopback(name);
}

const UNAUTHORIZED: Answer = refusal(
  401,
  `Authentication required: HTTP Basic with user "${ADMIN_USER}" and the [admin] password from the relay's config`,
  { headers: { 'WWW-Authenticate': `Basic realm="${REALM}"` } },
);

/**
 * Decides one request: the refusal to send, or undefined when it may go on.
 * `ip` is the peer address as the server saw it.
 */
export function checkAccess(
  request: Request,
  ip: string | null,
  password: string,
  logins?: Logins,
): Answer | undefined {
  if (password !== '') {
    const creds = parseBasic(request.headers.get('authorization'));
    // No credentials is a browser's first request, before it asks for them: no guess.
    if (!creds) return UNAUTHORIZED;
    const held = logins?.hold(ip);
    if (held) return held;
    if (!credentialsMatch(creds.user, creds.pass, password)) {
      logins?.failed(ip);
      return UNAUTHORIZED;
    }
    logins?.succeeded(ip);
  } else {
    if (!isLoopback(ip)) {
      return refusal(
        403,
        'Forbidden: with no [admin] password in the config, the admin surface answers only on this machine ' +
          '(http://127.0.0.1); set [admin] password to open it to the network',
      );
    }
    const host = request.headers.get('host');
    if (!isLoopbackHost(host)) {
      return refusal(
        403,
        `Forbidden: Host ${JSON.stringify((host ?? '').slice(0, 60))} is not a loopback name; open http://127.0.0.1:<port>/admin (or set [admin] password)`,
      );
    }
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') return checkSameOrigin(request);
  return undefined;
}

function checkSameOrigin(request: Request): Answer | undefined {
  if (request.headers.get(CSRF_HEADER) === null) {
    return refusal(
      403,
      `Forbidden: admin actions need the header "X-Relay-Admin: 1" (the status page sends it; with curl add -H 'X-Relay-Admin: 1')`,
    );
  }
  const origin = request.headers.get('origin');
  if (origin !== null) {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      /* unparsable: refused below */
    }
    if (originHost.toLowerCase() !== (request.headers.get('host') ?? '').toLowerCase()) {
      return refusal(403, `Forbidden: cross-origin admin request from ${JSON.stringify(origin.slice(0, 80))}`);
    }
  }
  return undefined;
}
