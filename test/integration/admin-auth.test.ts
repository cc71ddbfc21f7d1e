/**
 * Who may use the admin surface (status page, JSON API, /metrics) of a real
 * relay on port 0: HTTP Basic when a password is set, this machine only when
 * none is, the X-Relay-Admin header and same origin for actions, the security
 * headers; the webhook and /health stay open.
 */
import { describe, expect, it } from 'bun:test';
import { networkInterfaces } from 'node:os';
import { type AdminRelay, basic, startAdminRelay } from '../helpers/admin.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';

const PASSWORD = 'pa:ss wörd';

const onCleanup = useCleanup();

async function relayWith(o: Parameters<typeof startAdminRelay>[0] = {}): Promise<AdminRelay> {
  const a = await startAdminRelay(o);
  onCleanup(() => a.stop());
  return a;
}

const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/admin'],
  ['GET', '/admin/live'],
  ['GET', '/admin/app.js'],
  ['GET', '/admin/app.css'],
  ['GET', '/admin/api/status'],
  ['GET', '/admin/api/events'],
  ['GET', '/admin/api/events/0190-x'],
  ['POST', '/admin/api/events/0190-x/replay'],
  ['POST', '/admin/api/replay-dead'],
  ['POST', '/admin/api/reload'],
  ['GET', '/metrics'],
];

describe('who may use the admin surface', () => {
  it('asks for HTTP Basic on every admin route: 401, WWW-Authenticate, a {"detail"} body', async () => {
    const a = await relayWith({ password: PASSWORD });
    for (const [method, path] of ADMIN_ROUTES) {
      const res = await a.admin(path, { method, auth: null });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="relay"');
      expect(Object.keys((await res.json()) as object)).toEqual(['detail']);
    }
  });

  it('refuses a wrong password, another user, and a malformed header; admits admin with the password', async () => {
    const a = await relayWith({ password: PASSWORD });
    for (const auth of [
      basic('admin', 'wrong'),
      basic('root', PASSWORD),
      basic('admin', `${PASSWORD}x`),
      'Basic !!!',
      `Bearer ${PASSWORD}`,
    ]) {
      expect((await a.admin('/admin/api/status', { auth })).status).toBe(401);
    }
    expect((await a.admin('/admin/api/status', { auth: basic('admin', PASSWORD) })).status).toBe(200);
    expect(
      (await a.admin('/admin/api/status', { auth: `basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` }))
        .status,
    ).toBe(200);
  });

  it('keeps the webhook endpoint and /health open, as the contract has them', async () => {
    const a = await relayWith({ password: PASSWORD });
    expect((await post(a.url, TOKEN, '{"a":1}')).status).toBe(200);
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
  });

  const other = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4');
  itUnless(!other && 'no non-loopback IPv4 interface on this machine to be "another address" from')(
    'with no password, serves this machine but answers 403 to another address',
    async () => {
      const a = await relayWith({ host: '0.0.0.0' });
      expect((await a.admin('/admin/api/status')).status).toBe(200);
      const res = await fetch(`http://${other!.address}:${a.relay.port}/admin/api/status`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/no \[admin\] password.*only on this machine/);
      expect((await fetch(`http://${other!.address}:${a.relay.port}/health`)).status).toBe(200);
    },
  );

  it('with no password, refuses a foreign Host name (DNS rebinding) with 403', async () => {
    const a = await relayWith();
    const res = await a.admin('/admin/api/status', { headers: { host: 'evil.example:8080' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not a loopback name/);
    expect((await a.admin('/admin/api/status', { headers: { host: `localhost:${a.relay.port}` } })).status).toBe(200);
  });

  it('refuses actions without the X-Relay-Admin header or from another origin (CSRF)', async () => {
    const a = await relayWith({ password: PASSWORD });
    const bare = await a.admin('/admin/api/replay-dead', { method: 'POST', headers: { 'x-relay-admin': '' } });
    expect(bare.status).toBe(200); // present (even empty) is what a cross-site form cannot do
    const none = await fetch(`${a.url}/admin/api/replay-dead`, {
      method: 'POST',
      headers: { authorization: basic('admin', PASSWORD) },
    });
    expect(none.status).toBe(403);
    expect(((await none.json()) as { detail: string }).detail).toMatch(/X-Relay-Admin/);
    const foreign = await a.admin('/admin/api/replay-dead', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const same = await a.admin('/admin/api/replay-dead', { method: 'POST', headers: { origin: a.url } });
    expect(same.status).toBe(200);
  });

  it('sends the security headers, and the page has no inline script or style', async () => {
    const a = await relayWith({ password: PASSWORD });
    const res = await a.admin('/admin');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page.match(/<script\b[^>]*>/g)).toEqual(['<script src="/admin/app.js" defer>']);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});
