import { Elysia } from 'elysia';
import { maskToken } from '../lib/mask.ts';
import { type EventStatus, queries } from '../spool/index.ts';
import { APP_CSS, APP_JS } from './assets.ts';
import { checkAccess } from './auth.ts';
import type { AdminDeps } from './index.ts';
import { renderLive, renderPage } from './page.ts';
import { buildStatus, eventView } from './view.ts';

/**
 * The admin surface: the status page (/admin), its JSON API (/admin/api/*)
 * and /metrics, all behind one guard (see auth.ts). The webhook endpoint and
 * /health are other plugins and stay open, as the cloud's contract has them.
 */

/** No inline script or style: the page's code is /admin/app.js, its style /admin/app.css. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Admin answers show live state and masked secrets: never from a cache.
  'Cache-Control': 'no-store',
};

const respond = (body: string, status: number, type: string, extra?: Record<string, string>): Response =>
  new Response(body, { status, headers: { 'Content-Type': type, ...SECURITY_HEADERS, ...extra } });

const json = (body: unknown, status = 200, extra?: Record<string, string>) =>
  respond(JSON.stringify(body), status, 'application/json', extra);

const detail = (status: number, text: string, more: Record<string, unknown> = {}, extra?: Record<string, string>) =>
  json({ detail: text, ...more }, status, extra);

const HTML = 'text/html; charset=utf-8';
const STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'dead'];
const MAX_LIST = 1000;
/** UUIDv7 ids are 36 characters; anything much longer is not an event id. */
const MAX_ID = 64;

export const adminRoutes = (deps: AdminDeps) => {
  const { spool, metrics, log } = deps;
  metrics.watch({
    spool: () => spool.stats(),
    cloudReachable: () => deps.forwarder.cloud.reachable,
    now: () => deps.clock.now(),
  });

  /** A replay commits through the drizzle connection; tell the spool now so the lanes wake at once. */
  const wakeLanes = () => {
    try {
      spool.checkExternalChanges();
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'spool change check after replay failed');
    }
  };

  return (
    new Elysia({ name: 'relay.admin' })
      // Local to this plugin: only the routes below are guarded.
      .onBeforeHandle(({ request, server }) => {
        const ip = server?.requestIP(request)?.address ?? null;
        const access = checkAccess(request, ip, deps.config().admin.password);
        if (!access.ok) return detail(access.status, access.detail, {}, access.headers);
      })
      .get('/admin', async () => respond(renderPage(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/', async () => respond(renderPage(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/live', async () => respond(renderLive(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/app.js', () => respond(APP_JS, 200, 'text/javascript; charset=utf-8'))
      .get('/admin/app.css', () => respond(APP_CSS, 200, 'text/css; charset=utf-8'))
      .get('/admin/api/status', async () => json(await buildStatus(deps)))
      .get('/admin/api/events', async ({ query }) => {
        const q = query as Record<string, string | undefined>;
        const status = q.status;
        if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
          return detail(
            400,
            `Invalid status ${JSON.stringify(status.slice(0, 20))}: expected one of ${STATUSES.join(', ')}`,
          );
        }
        const limit = q.limit === undefined ? 50 : Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
          return detail(
            400,
            `Invalid limit ${JSON.stringify(String(q.limit).slice(0, 20))}: expected an integer 1..${MAX_LIST}`,
          );
        }
        const names = new Map(deps.config().tokens.map((t) => [t.token, t.name]));
        const rows = await queries.listEvents(spool.db, {
          status: status as EventStatus | undefined,
          token: q.token || undefined,
          limit,
        });
        return json({ events: rows.map((e) => eventView(e, (t) => names.get(t) ?? '')) });
      })
      .get('/admin/api/events/:id', async ({ params }) => {
        const e = params.id.length <= MAX_ID ? await queries.getEvent(spool.db, params.id) : undefined;
        if (!e) return detail(404, `No event ${JSON.stringify(params.id.slice(0, MAX_ID))} in the spool`);
        const name = deps.config().tokens.find((t) => t.token === e.token)?.name ?? '';
        return json({
          ...eventView(e, () => name),
          body: e.body.toString('utf8'),
          history: e.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
        });
      })
      .post('/admin/api/events/:id/replay', async ({ params }) => {
        const id = params.id;
        const r =
          id.length <= MAX_ID
            ? await queries.replayEvents(spool.db, [id])
            : { replayed: [], notDead: [], missing: [id] };
        if (r.missing.length > 0) return detail(404, `No event ${JSON.stringify(id.slice(0, MAX_ID))} in the spool`);
        if (r.notDead.length > 0) {
          return detail(
            409,
            `Event ${id} is not a dead letter (it is pending or delivered): only dead letters can be replayed`,
          );
        }
        wakeLanes();
        log.info({ event_id: id }, 'dead letter replayed from the status page');
        return json({ replayed: r.replayed });
      })
      .post('/admin/api/replay-dead', async () => {
        const n = await queries.replayAllDead(spool.db);
        wakeLanes();
        log.info({ replayed: n }, 'all dead letters replayed from the status page');
        return json({ replayed: n });
      })
      .post('/admin/api/reload', () => {
        const r = deps.reload();
        if (!r.ok) {
          return detail(422, `Config refused, the running config stays: ${r.problems.join('; ')}`, {
            problems: r.problems,
          });
        }
        const tokens = deps.config().tokens;
        return json({
          ok: true,
          problems: [],
          tokens: tokens.length,
          active: tokens.filter((t) => t.active).map((t) => maskToken(t.token)),
        });
      })
      .get('/metrics', async () => respond(await metrics.render(), 200, metrics.contentType))
  );
};
