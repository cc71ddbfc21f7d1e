import type { EventStatus, ReplayResult } from '../../spool/index.ts';
import { type Command, type Io, loadConfigFor, parseCommandArgs, UsageError } from '../context.ts';
import { parseDateArg } from '../lib/dates.ts';
import { detailJson, listTable, printDetail, summaryJson } from '../lib/event-view.ts';
import { resolveToken, tokenNames, withSpool } from '../lib/local.ts';
import { localTime, printJson } from '../lib/output.ts';
import { progress } from '../lib/progress.ts';

const STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'dead'];
const PICKED_UP = 'a running relay sends them within about a second; a stopped one at its next start';

const USAGE = [
  'relay events list [--status pending|delivered|dead] [--token T] [--limit N] [--json]',
  '       relay events show ID [--json]',
  '       relay events replay ID...|--all-dead [--json]',
  '       relay events purge --delivered-before DATE [--json]',
  '(each also takes --config FILE; T may be the first 8 characters of a token)',
].join('\n');

export const events: Command = {
  name: 'events',
  summary: 'list, show, replay (dead letters) and purge (delivered) spooled events',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        return list(rest, io);
      case 'show':
        return show(rest, io);
      case 'replay':
        return replay(rest, io);
      case 'purge':
        return purge(rest, io);
      default:
        throw new UsageError(
          `relay events: expected one of list, show, replay, purge${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}`,
        );
    }
  },
};

async function list(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('events list', args, {
    status: { type: 'string' },
    token: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  const status = values.status as EventStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new UsageError(
      `relay events list: --status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(values.status)}`,
    );
  }
  let limit = 50;
  if (values.limit !== undefined) {
    limit = /^\d+$/.test(values.limit) ? Number(values.limit) : NaN;
    if (!(limit >= 1 && limit <= 1_000_000)) {
      throw new UsageError(
        `relay events list: --limit must be a whole number from 1 to 1000000, got ${JSON.stringify(values.limit)}`,
      );
    }
  }
  const loaded = loadConfigFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  const pick = (known: string[]): string | undefined => {
    if (values.token === undefined) return undefined;
    const r = resolveToken(values.token, [...config.tokens.map((t) => t.token), ...known]);
    // An unknown token simply has no events; only an ambiguous prefix is a mistake.
    if (!r.ok && r.ambiguous) throw new UsageError(`relay events list: ${r.problem}`);
    return r.ok ? r.token : values.token;
  };
  pick([]);
  const empty = () => {
    if (values.json) printJson(io, { events: [] });
    else io.out(`no events (the spool ${config.spool.path} does not exist yet)`);
    return 0;
  };
  return withSpool(
    config,
    io,
    async (spool) => {
      // Tokens removed from the config may still have events in the spool.
      const token = values.token === undefined ? undefined : pick((await spool.laneCounts()).map((l) => l.token));
      const rows = await spool.listEvents({ status, token, limit });
      if (values.json) {
        printJson(io, { events: rows.map(summaryJson) });
        return 0;
      }
      if (rows.length === 0) {
        io.out(`no ${status ?? ''}${status ? ' ' : ''}events${token ? ' for that token' : ''}`);
        return 0;
      }
      io.out(listTable(rows));
      if (rows.length === limit) io.out(`\n${limit} most recent shown; --limit N shows more`);
      return 0;
    },
    empty,
  );
}

async function show(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('events show', args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) {
    throw new UsageError(`relay events show: expected exactly one event ID, got ${positionals.length}`);
  }
  const id = positionals[0]!;
  const loaded = loadConfigFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  const notFound = () => {
    io.err(`relay events show: no event ${JSON.stringify(id)} in the spool ${config.spool.path}`);
    return 1;
  };
  return withSpool(
    config,
    io,
    async (spool) => {
      const e = await spool.getEvent(id);
      if (!e) return notFound();
      if (values.json) printJson(io, detailJson(e));
      else printDetail(io, e, tokenNames(config));
      return 0;
    },
    notFound,
  );
}

async function replay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'events replay',
    args,
    { 'all-dead': { type: 'boolean' }, json: { type: 'boolean' } },
    true,
  );
  const all = values['all-dead'] === true;
  if (all && positionals.length > 0)
    throw new UsageError('relay events replay: give event IDs or --all-dead, not both');
  if (!all && positionals.length === 0)
    throw new UsageError('relay events replay: give one or more event IDs, or --all-dead');
  const loaded = loadConfigFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;

  if (all) {
    return withSpool(
      config,
      io,
      async (spool) => {
        const p = progress(values.json ? { ...io, isTty: false } : io, 'replayed');
        const n = await spool.replayAllDead((done, total) => p.update(done, total));
        if (values.json) printJson(io, { replayed: n });
        else if (n === 0) p.finish('no dead-lettered events to replay');
        else p.finish(`replayed ${n} dead-lettered event${n === 1 ? '' : 's'} back to pending: ${PICKED_UP}`);
        return 0;
      },
      () => {
        if (values.json) printJson(io, { replayed: 0 });
        else io.out('no dead-lettered events to replay');
        return 0;
      },
    );
  }

  const ids = [...new Set(positionals)];
  const report = (r: ReplayResult) => {
    if (values.json) {
      printJson(io, { replayed: r.replayed, not_dead: r.notDead, not_found: r.missing });
    } else {
      for (const id of r.replayed) io.out(`replayed   ${id}`);
      for (const id of r.notDead) io.out(`not dead   ${id} (only dead-lettered events are replayed; left as it is)`);
      for (const id of r.missing) io.out(`not found  ${id}`);
      if (r.replayed.length > 0) io.out(`${r.replayed.length} back to pending: ${PICKED_UP}`);
    }
    // 0 only when every event asked for was replayed.
    return r.replayed.length === ids.length ? 0 : 1;
  };
  return withSpool(
    config,
    io,
    async (spool) => report(await spool.replay(ids)),
    () => report({ replayed: [], notDead: [], missing: ids }),
  );
}

async function purge(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('events purge', args, {
    'delivered-before': { type: 'string' },
    json: { type: 'boolean' },
  });
  const given = values['delivered-before'];
  if (given === undefined) throw new UsageError('relay events purge: --delivered-before DATE is required');
  const before = parseDateArg(given);
  if (before === undefined) {
    throw new UsageError(
      `relay events purge: --delivered-before ${JSON.stringify(given)} is not a date: ` +
        'expected YYYY-MM-DD (midnight, local time) or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]',
    );
  }
  const loaded = loadConfigFor(values.config, io);
  if (!loaded) return 2;
  const { config } = loaded;
  const done = (n: number, p?: ReturnType<typeof progress>) => {
    if (values.json) printJson(io, { purged: n, delivered_before: new Date(before).toISOString() });
    else {
      const line =
        `purged ${n} event${n === 1 ? '' : 's'} delivered before ${localTime(before)}; ` +
        'pending and dead-lettered events are never purged';
      if (p) p.finish(line);
      else io.out(line);
    }
    return 0;
  };
  return withSpool(
    config,
    io,
    async (spool) => {
      const p = progress(values.json ? { ...io, isTty: false } : io, 'purged');
      const n = await spool.purgeDelivered(before, (d, t) => p.update(d, t));
      return done(n, p);
    },
    () => done(0),
  );
}
