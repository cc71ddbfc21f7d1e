/**
 * HTTPS for the local endpoint ([server] tls_cert, tls_key), for POS software
 * that only posts to https:// URLs; and a start-up error that names the key
 * to fix when the files are wrong. Certificates are made here with the
 * openssl CLI; where it is missing the HTTPS tests say so and are skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/index.ts';
import { installBinary, portOf, startBinary } from '../helpers/binary.ts';
import { makeCert, OPENSSL } from '../helpers/cert.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ORDER_CREATED, TOKEN, tempDir } from '../helpers/relay.ts';
import { relayToml, runBounded } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const openssl = OPENSSL;
const noOpenssl = !openssl && 'no openssl CLI here to make a certificate (make clients installs it)';

let root: { dir: string; cleanup: () => void };
let bin: string;
let cloud: MockCloud;
beforeAll(async () => {
  root = tempDir('relay-tls-');
  bin = await installBinary(root.dir);
  cloud = await startMockCloud();
});
afterAll(async () => {
  await cloud.stop();
  root.cleanup();
});

/** An installation whose relay.toml has these [server] keys (TLS paths relative to its folder). */
function install(name: string, server: Partial<Config['server']> = {}): string {
  const dir = join(root.dir, name);
  Bun.spawnSync(['mkdir', '-p', dir]);
  writeFileSync(join(dir, 'relay.toml'), relayToml({ cloudUrl: cloud.url, config: { server } }));
  return dir;
}

describe('HTTPS on the local endpoint', () => {
  itUnless(noOpenssl)(
    'serves the contract over HTTPS with a self-signed certificate, verified against it',
    async () => {
      const dir = install('https', { tls_cert: 'tls/relay.crt', tls_key: 'tls/relay.key' });
      Bun.spawnSync(['mkdir', '-p', join(dir, 'tls')]);
      const { cert } = makeCert(join(dir, 'tls'), 'relay');
      const relay = await startBinary(bin, ['serve'], { cwd: dir });
      try {
        const url = relay.url.replace(/^http:/, 'https:');
        const res = await fetch(`${url}/webhooks/v1/pos/${TOKEN}`, {
          method: 'POST',
          body: ORDER_CREATED,
          headers: { 'content-type': 'application/json' },
          tls: { ca: readFileSync(cert, 'utf8') }, // trust exactly this certificate, nothing looser
        });
        expect(res.status).toBe(200);
        const { event_id } = (await res.json()) as { event_id: string };
        await waitFor(() => cloud.stored.some((r) => r.headers['idempotency-key'] === event_id), 'delivery');
        expect(cloud.stored.find((r) => r.headers['idempotency-key'] === event_id)!.text).toBe(ORDER_CREATED);
        // A client that does not trust the certificate is refused by TLS itself...
        await expect(fetch(`${url}/health`)).rejects.toThrow();
        // ...and plain HTTP on the HTTPS port gets no answer from the contract.
        const plain = await fetch(`${relay.url}/health`).then(
          (r) => r.status,
          () => 'refused',
        );
        expect(plain).not.toBe(200);
      } finally {
        relay.proc.kill('SIGTERM');
        expect(await relay.exited).toBe(0);
      }
    },
    20_000,
  );
});

describe('wrong TLS files stop start-up, naming the key to fix', () => {
  const refused = (dir: string) => {
    const r = runBounded(bin, ['serve'], dir);
    expect(r.code).toBe(1);
    // Checked before the spool opens: a bad config leaves nothing behind.
    expect(existsSync(join(dir, 'spool'))).toBe(false);
    return r.stderr;
  };

  it('names server.tls_cert and the path when the certificate does not exist', () => {
    const dir = install('missing-cert', { tls_cert: 'nowhere/relay.crt', tls_key: 'nowhere/relay.key' });
    const err = refused(dir);
    expect(err).toContain('server.tls_cert');
    expect(err).toContain(join(dir, 'nowhere', 'relay.crt'));
    expect(err).toMatch(/cannot read .*ENOENT/);
  });

  itUnless(noOpenssl)('names server.tls_key when the key does not exist', () => {
    const dir = install('missing-key', { tls_cert: 'relay.crt', tls_key: 'absent.key' });
    makeCert(dir, 'relay');
    const err = refused(dir);
    expect(err).toContain('server.tls_key');
    expect(err).toContain(join(dir, 'absent.key'));
  });

  itUnless(noOpenssl)('names server.tls_cert when the files are swapped', () => {
    const dir = install('swapped', { tls_cert: 'relay.key', tls_key: 'relay.crt' });
    makeCert(dir, 'relay');
    const err = refused(dir);
    expect(err).toContain('server.tls_cert');
    expect(err).toMatch(/is not a PEM certificate/);
  });

  itUnless(noOpenssl)("names both keys when the key is not the certificate's", () => {
    const dir = install('mismatch', { tls_cert: 'one.crt', tls_key: 'two.key' });
    makeCert(dir, 'one');
    makeCert(dir, 'two');
    const err = refused(dir);
    expect(err).toContain(
      `server.tls_key: ${join(dir, 'two.key')} is not the private key of server.tls_cert ${join(dir, 'one.crt')}`,
    );
  });
});

describe('the listening port', () => {
  it('refuses to start a second relay on a port already taken, instead of sharing it', async () => {
    const first = install('first');
    const relay = await startBinary(bin, ['serve'], { cwd: first });
    try {
      const port = portOf(relay); // the port the first relay got (its config says 0)
      const second = install('second', { port });
      // Spawned, not run to completion: were the port shared, the second relay would run on.
      const attempt = await startBinary(bin, ['serve'], { cwd: second }).then(
        (r) => (r.proc.kill('SIGKILL'), 'started on a taken port'),
        (e: Error) => e.message,
      );
      expect(attempt).toMatch(/relay exited with 1 before starting/);
      expect(attempt).toContain(`server.host/server.port 127.0.0.1:${port}: cannot listen`);
    } finally {
      relay.proc.kill('SIGTERM');
      await relay.exited;
    }
  });
});
