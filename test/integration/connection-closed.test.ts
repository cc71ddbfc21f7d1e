/**
 * A webhook whose connection closes before its answer is written: Bun's
 * server closes a connection on which a second request (or a stray CRLF)
 * follows one still being answered, and a POS may give up. A request found
 * closed before it is stored is not stored, so the POS's resend is no
 * duplicate; one that closes while it is being stored is logged with its
 * event id, as the one the POS may send again. Both logged at warn, the
 * token masked. The same through real sockets is test/clients.
 */
import { afterEach, beforeEach, describe, expect, it } from 'bun:test';
import { createApp, IngestService } from '../../src/http/index.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { ingestSettings } from '../../src/relay.ts';
import { Spool } from '../../src/spool/index.ts';
import { captureLog, type LogLine } from '../helpers/log.ts';
import { CLEAN } from '../helpers/payloads.ts';
import { TOKEN, tempDir, testConfig } from '../helpers/relay.ts';

let tmp: { dir: string; cleanup: () => void };
let spool: Spool;
let lines: LogLine[];
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  tmp = tempDir();
  const config = testConfig(tmp.dir);
  spool = await Spool.open({
    path: config.spool.path,
    maxBytes: 64 * 1024 * 1024,
    clock: systemClock,
    log: captureLog().log,
  });
  const captured = captureLog();
  lines = captured.lines;
  const ingest = new IngestService(ingestSettings(config), { spool, clock: systemClock, log: captured.log });
  app = createApp({ ingest, health: () => ({}) as never, log: captured.log });
});

afterEach(async () => {
  await spool.close();
  tmp.cleanup();
});

/** The webhook request as the server hands it over, its signal the connection's. */
const webhook = (signal: AbortSignal) =>
  new Request(`http://relay/webhooks/v1/pos/${TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(CLEAN),
    signal,
  });

describe('a webhook whose connection closes before its answer', () => {
  it('is not stored when the connection is closed before storing, and the log says so', async () => {
    const connection = new AbortController();
    connection.abort();
    await app.handle(webhook(connection.signal));
    expect(spool.stats().pending).toBe(0);
    const line = lines.find((l) => l.msg === 'webhook not stored: its connection closed before the answer');
    expect(line).toMatchObject({ level: 'warn', token: `${TOKEN.slice(0, 8)}…` });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('is logged with its event id when the connection closes while it is stored', async () => {
    const connection = new AbortController();
    const append = spool.append.bind(spool);
    spool.append = async (event) => {
      const stored = await append(event);
      connection.abort();
      return stored;
    };
    const res = await app.handle(webhook(connection.signal));
    const { event_id } = (await res.json()) as { event_id: string };
    expect(spool.stats().pending).toBe(1);
    const line = lines.find((l) => l.msg.startsWith('event stored, but its connection closed before the answer'));
    expect(line).toMatchObject({ level: 'warn', event_id });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('is stored and answered, with no such line, while the connection stays open', async () => {
    const res = await app.handle(webhook(new AbortController().signal));
    expect(res.status).toBe(200);
    expect(spool.stats().pending).toBe(1);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
