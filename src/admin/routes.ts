import { Elysia, t, type ValidationError } from 'elysia';
import { type Answer, errorRefusal, refusal, reply } from '../http/index.ts';
import { maskToken } from '../lib/mask.ts';
import { EVENT_STATUSES } from '../spool/index.ts';
import { APP_CSS, APP_JS } from './assets.ts';
import { checkAccess } from './auth.ts';
import type { AdminDeps } from './index.ts';
import { Logins } from './logins.ts';
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

/** A refusal (http/refusal.ts) as an admin answer: the security headers under its own. */
const send = (a: Answer): Response => reply({ ...a, headers: { ...SECURITY_HEADERS, ...a.headers } });

const HTML = 'text/html; charset=utf-8';
const MAX_LIST = 1000;
/** UUIDv7 ids are 36 characters; anything much longer is not an event id. */
const MAX_ID = 64;

/** What each checked query parameter must be, as the 400 that names it says. */
const EXPECTED = {
  status: `one of ${EVENT_STATUSES.join(', ')}`,
  limit: `an integer 1..${MAX_LIST}`,
} as const;
type Checked = keyof typeof EXPECTED;

/**
 * GET /admin/api/events' query. Each checked parameter's schema carries its
 * name as `error`: Elysia reports the failing field's `error` however the
 * value failed, while its error path does not always name the field (a limit
 * that is a number but out of range fails at the root).
 */
const EVENTS_QUERY = t.Object({
  status: t.Optional(
    t.Union(
      EVENT_STATUSES.map((s) => t.Literal(s)),
      { error: 'status' satisfies Checked },
    ),
  ),
  limit: t.Integer({ minimum: 1, maximum: MAX_LIST, default: 50, error: 'limit' satisfies Checked }),
  token: t.Optional(t.String()),
});

/** The 400 for a query that failed EVENTS_QUERY: which parameter, what it must be, and what came. */
function invalidQuery(error: Pick<ValidationError, 'customError'>, url: string): Answer {
  const param = error.customError;
  if (typeof param !== 'string' || !Object.hasOwn(EXPECTED, param)) return refusal(400, 'Bad Request');
  // The last of a repeated parameter: the one Elysia validated.
  const sent = new URL(url).searchParams.getAll(param).at(-1) ?? '';
  return refusal(400, `Invalid ${param} ${JSON.stringify(sent.slice(0, 20))}: expected ${EXPECTED[param as Checked]}`);
}

/**
 * The schema's bounds once more, by hand: in the compiled (minified) binary
 * Elysia's check lets an out-of-range integer through (limit=0, -5, 100000),
 * so the documented range is enforced where the value is used.
 */
export const limitInRange = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_LIST;

/** The peer address as the server saw it; no server when a test calls the app directly. */
type Peer = { requestIP(request: Request): { address: string } | null } | null;

export const adminRoutes = (given: AdminDeps) => {
  const logins = given.logins ?? new Logins({ clock: given.clock, log: given.log });
  const deps: AdminDeps = { ...given, logins };
  const { spool, metrics, log } = deps;
  metrics.watch({
    spool: () => spool.stats(),
    cloudReachable: () => deps.forwarder.cloud.reachable,
    now: () => deps.clock.now(),
    tokens: () => deps.config().tokens,
    alerts: () => deps.alerts?.counters() ?? null,
    logins: () => logins.counters(),
  });

  /** The guard's refusal, or undefined when the caller may go on. */
  const guard = (request: Request, server: Peer): Response | undefined => {
    const ip = server?.requestIP(request)?.address ?? null;
    const refused = checkAccess(request, ip, deps.config().admin.password, logins);
    return refused && send(refused);
  };

  return (
    new Elysia({ name: 'relay.admin' })
      // Local to this plugin, like the guard: http/app.ts mounts it outside
      // the app's error handler. Elysia validates a query before
      // onBeforeHandle runs, so the guard is asked here too: a caller it
      // refuses learns nothing about the request, not even that it was wrong.
      .onError(({ code, error, request, server }) => {
        const refused = guard(request, server);
        if (refused) return refused;
        if (code === 'VALIDATION') return send(invalidQuery(error, request.url));
        return send(errorRefusal(code, error, log));
      })
      .onBeforeHandle(({ request, server }) => guard(request, server))
      .get('/admin', async () => respond(renderPage(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/', async () => respond(renderPage(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/live', async () => respond(renderLive(await buildStatus(deps)).text, 200, HTML))
      .get('/admin/app.js', () => respond(APP_JS, 200, 'text/javascript; charset=utf-8'))
      .get('/admin/app.css', () => respond(APP_CSS, 200, 'text/css; charset=utf-8'))
      .get('/admin/api/status', async () => json(await buildStatus(deps)))
      .get(
        '/admin/api/events',
        async ({ query, request }) => {
          if (!limitInRange(query.limit)) return send(invalidQuery({ customError: 'limit' }, request.url));
          const names = new Map(deps.config().tokens.map((t) => [t.token, t.name]));
          const rows = await spool.listEvents({
            status: query.status,
            token: query.token || undefined,
            limit: query.limit,
          });
          return json({ events: rows.map((e) => eventView(e, (t) => names.get(t) ?? '')) });
        },
        { query: EVENTS_QUERY },
      )
      .get('/admin/api/events/:id', async ({ params }) => {
        const e = params.id.length <= MAX_ID ? await spool.getEvent(params.id) : undefined;
        if (!e) return send(refusal(404, `No event ${JSON.stringify(params.id.slice(0, MAX_ID))} in the spool`));
        const name = deps.config().tokens.find((t) => t.token === e.token)?.name ?? '';
        return json({
          ...eventView(e, () => name),
          body: e.body.toString('utf8'),
          history: e.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
        });
      })
      .post('/admin/api/events/:id/replay', async ({ params }) => {
        const id = params.id;
        const r = id.length <= MAX_ID ? await spool.replay([id]) : { replayed: [], notDead: [], missing: [id] };
        if (r.missing.length > 0) {
          return send(refusal(404, `No event ${JSON.stringify(id.slice(0, MAX_ID))} in the spool`));
        }
        if (r.notDead.length > 0) {
          return send(
            refusal(
              409,
              `Event ${id} is not a dead letter (it is pending or delivered): only dead letters can be replayed`,
            ),
          );
        }
        log.info({ event_id: id }, 'dead letter replayed from the status page');
        return json({ replayed: r.replayed });
      })
      .post('/admin/api/replay-dead', async () => {
        const n = await spool.replayAllDead();
        log.info({ replayed: n }, 'all dead letters replayed from the status page');
        return json({ replayed: n });
      })
      .post('/admin/api/reload', () => {
        const r = deps.reload();
        if (!r.ok) {
          return send(
            refusal(422, `Config refused, the running config stays: ${r.problems.join('; ')}`, {
              extra: { problems: r.problems },
            }),
          );
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
