/**
 * Promise 3 for a spool too large to read before serving (over 64 MB; opened
 * here with scanFirstBytes 0 to act as one): it is served at once, its pages
 * read in the background; a damaged page found there stops the relay taking
 * events, naming the file and what to do, and an undamaged one keeps serving.
 * A damaged spool at start-up of the binary is test/binary/corruption.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/log.ts';
import { Spool, SpoolWriteError } from '../../src/spool/index.ts';
import { post, startTestRelay, TOKEN, tempDir } from '../helpers/relay.ts';
import { damageMiddlePage } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const EVENTS = 300;
let root: { dir: string; cleanup: () => void };
/** A real spool written by a relay (in this process): EVENTS pending events, the relay stopped. */
let pristine: string;

beforeAll(async () => {
  root = tempDir('relay-corrupt-');
  pristine = join(root.dir, 'pristine');
  mkdirSync(join(pristine, 'spool'), { recursive: true });
  const relay = await startTestRelay(
    // The POS limits lifted, as for the binary in test/binary/corruption.test.ts: 300 posts at once.
    {
      spool: { path: join(pristine, 'spool', 'relay.db') },
      limits: { rate_per_token: 100000, burst_per_token: 100000 },
    },
    { dir: pristine },
  );
  const pad = 'x'.repeat(2000);
  for (let i = 0; i < EVENTS; i += 30) {
    const batch = Array.from({ length: 30 }, (_, j) => post(relay.url, TOKEN, `{"i":${i + j},"pad":"${pad}"}`));
    for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
  }
  await relay.relay.stop();
}, 30_000);
afterAll(() => root.cleanup());

/** Opens a spool in this process as if it were over 64 MB: served before its integrity read ends. */
const openAsLarge = (path: string) =>
  Spool.open({ path, maxBytes: 1 << 30, clock: systemClock, log: silentLogger, scanFirstBytes: 0 });

/** A copy of the pristine spool folder, to damage. */
function copy(name: string): { db: string } {
  const dir = join(root.dir, name);
  cpSync(pristine, dir, { recursive: true });
  return { db: join(dir, 'spool', 'relay.db') };
}

describe('a damaged spool at start-up', () => {
  it('serves a spool too large to read first, and stops taking events when the background read finds a damaged page', async () => {
    const c = copy('bad-page-late');
    damageMiddlePage(c.db);
    const spool = await openAsLarge(c.db);
    try {
      await waitFor(() => spool.damaged !== null, 'the background scan to report the damage');
      expect(spool.damaged).toContain(c.db);
      expect(spool.damaged).toContain(`mv "${c.db}" "${c.db}.broken"`);
      expect(spool.stats().lastWriteError).toBe(spool.damaged);
      const append = spool.append({ token: TOKEN, env: 'prod', body: new TextEncoder().encode('{}') });
      await expect(append).rejects.toBeInstanceOf(SpoolWriteError);
    } finally {
      await spool.close();
    }
  });

  it('reads an undamaged large spool in the background and keeps taking events', async () => {
    const c = copy('large-ok');
    const spool = await openAsLarge(c.db);
    try {
      expect(spool.stats().pending).toBe(EVENTS);
      const r = await spool.append({ token: TOKEN, env: 'prod', body: new TextEncoder().encode('{}') });
      expect(r.seq).toBeGreaterThan(EVENTS);
      expect(await spool.scanned).toMatchObject({ ok: true });
      expect(spool.damaged).toBeNull();
      expect(spool.stats().pending).toBe(EVENTS + 1);
    } finally {
      await spool.close();
    }
  });
});
