/**
 * The spool's memory is bounded by design, not by what it holds: a fixed
 * page cache, no file mapping, a log cut back after it starts over. The
 * figures with 300,000 events pending: `make bench`, section backlog.
 */
import { describe, expect, it } from 'bun:test';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool } from '../../src/spool/index.ts';
import { CACHE_KIB, WAL_KEEP_BYTES } from '../../src/spool/open.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { fileExec, fileRows } from '../helpers/spool-file.ts';

const onCleanup = useCleanup();

const pragmas = (spool: Spool) => {
  const s = spool.settings();
  return { cache: s.cacheSize, mmap: s.mmapSize, log: s.journalSizeLimit };
};

describe('spool memory', () => {
  it('lists by status or token lane by lane, newest first, the same events a sort of them all would give', async () => {
    const path = join(onCleanup.tempDir(), 'spool.db');
    const spool = await Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger });
    onCleanup(() => spool.close());
    const body = new TextEncoder().encode('{"a":1}');
    for (let i = 0; i < 120; i++) {
      await spool.append({ token: i % 3 === 0 ? TOKEN2 : TOKEN, env: i % 2 === 0 ? 'prod' : 'dev', body });
    }
    fileExec(path, "UPDATE events SET status = 'delivered', delivered_at = 1 WHERE seq % 5 = 0");
    const naive = (where: string, limit: number) =>
      fileRows<{ seq: number }>(path, `SELECT seq FROM events WHERE ${where} ORDER BY seq DESC LIMIT ${limit}`).map(
        (r) => r.seq,
      );
    const seqs = async (f: Parameters<Spool['listEvents']>[0]) => (await spool.listEvents(f)).map((e) => e.seq);
    expect(await seqs({ status: 'pending', limit: 30 })).toEqual(naive("status = 'pending'", 30));
    expect(await seqs({ status: 'delivered', limit: 7 })).toEqual(naive("status = 'delivered'", 7));
    expect(await seqs({ token: TOKEN2, limit: 25 })).toEqual(naive(`token = '${TOKEN2}'`, 25));
    expect(await seqs({ token: TOKEN, status: 'pending', limit: 200 })).toEqual(
      naive(`token = '${TOKEN}' AND status = 'pending'`, 200),
    );
    expect(await seqs({ status: 'dead' })).toEqual([]);
  });

  it('keeps a page cache of a fixed size, maps no file, and cuts its log back itself only without the background thread', async () => {
    const open = (background: boolean) =>
      Spool.open({
        path: join(onCleanup.tempDir(), 'spool.db'),
        maxBytes: 1 << 30,
        clock: systemClock,
        log: silentLogger,
        background,
      });
    const threaded = await open(true);
    onCleanup(() => threaded.close());
    const alone = await open(false);
    onCleanup(() => alone.close());
    // The thread empties a large log once writes pause (spool-budget.test.ts); SQLite cutting it at each
    // restart would regrow it under the writer's fsyncs.
    expect(pragmas(threaded)).toEqual({ cache: -CACHE_KIB, mmap: 0, log: -1 });
    expect(pragmas(alone)).toEqual({ cache: -CACHE_KIB, mmap: 0, log: WAL_KEEP_BYTES });
  });
});
