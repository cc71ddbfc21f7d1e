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

const onCleanup = useCleanup();

describe('spool memory', () => {
  it('keeps a page cache of a fixed size, maps no file and cuts its log back', async () => {
    const spool = await Spool.open({
      path: join(onCleanup.tempDir(), 'spool.db'),
      maxBytes: 1 << 30,
      clock: systemClock,
      log: silentLogger,
    });
    onCleanup(() => spool.close());
    const s = spool.settings();
    expect({ cache: s.cacheSize, mmap: s.mmapSize, log: s.journalSizeLimit }).toEqual({
      cache: -CACHE_KIB,
      mmap: 0,
      log: WAL_KEEP_BYTES,
    });
  });
});
