/**
 * server.host in a running relay: "localhost" answers on 127.0.0.1 and ::1
 * (a POS on Windows reaches localhost over ::1 first), a list on each of its
 * addresses, one port for all; an address another program holds stops the
 * start, naming it; and a stopped relay frees every address.
 */
import { describe, expect, it } from 'bun:test';
import { captureLog } from '../helpers/log.ts';
import { CLEAN } from '../helpers/payloads.ts';
import { post, startTestRelay, TOKEN, tempDir } from '../helpers/relay.ts';

const body = JSON.stringify(CLEAN);
const at = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

describe('server.host', () => {
  it('"localhost" answers on 127.0.0.1 and ::1, on one port, and says so when it starts', async () => {
    const { log, lines } = captureLog();
    const t = await startTestRelay({ server: { host: 'localhost' } }, { log });
    try {
      const port = t.relay.port;
      expect(t.url).toBe(`http://127.0.0.1:${port}`);
      for (const host of ['127.0.0.1', '::1']) expect((await post(at(host, port), TOKEN, body)).status).toBe(200);
      expect(t.relay.spool.stats().pending).toBe(2);
      expect(lines.find((l) => l.msg === 'relay started')).toMatchObject({
        listen: `127.0.0.1:${port}`,
        also: [`[::1]:${port}`],
      });
    } finally {
      await t.stop();
    }
    // Stopped: neither address answers any more.
    for (const host of ['127.0.0.1', '::1'])
      expect(
        await fetch(`${at(host, t.relay.port)}/health`).then(
          () => 'answered',
          () => 'refused',
        ),
      ).toBe('refused');
  });

  it('a list listens on each address, the first being the relay URL', async () => {
    const t = await startTestRelay({ server: { host: ['::1', '127.0.0.1'] } });
    try {
      expect(t.url).toBe(`http://[::1]:${t.relay.port}`);
      for (const host of ['::1', '127.0.0.1'])
        expect((await post(at(host, t.relay.port), TOKEN, body)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('an address whose port another program holds stops the start, naming it, even ::1 implied by localhost', async () => {
    const other = Bun.serve({ hostname: '::1', port: 0, fetch: () => new Response('another program') });
    const tmp = tempDir();
    try {
      const start = startTestRelay({ server: { host: 'localhost', port: other.port as number } }, { dir: tmp.dir });
      await expect(start).rejects.toThrow(`server.host/server.port [::1]:${other.port}: cannot listen`);
      // Nothing left listening on 127.0.0.1 either: the relay did not half start.
      const v4 = await fetch(`http://127.0.0.1:${other.port}/health`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(v4).toBe('refused');
    } finally {
      other.stop(true);
      tmp.cleanup();
    }
  });
});
