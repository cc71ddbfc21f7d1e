/**
 * src/config/tls.ts without a server: the PEM checks name the config key to
 * fix, and a listen error is translated to name server.host/port or the TLS
 * keys. test/binary/tls.test.ts runs the same through the binary with real certificates.
 */
import { afterAll, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, defaultConfig, listenError, loadTls } from '../../src/config/index.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('relay-config-tls-');
afterAll(() => tmp.cleanup());

const server = (o: Partial<Config['server']> = {}): Config['server'] => ({
  ...defaultConfig().server,
  host: '127.0.0.1',
  port: 8443,
  tls_cert: '/etc/relay/relay.crt',
  tls_key: '/etc/relay/relay.key',
  ...o,
});

describe('listenError', () => {
  const cases: [string, boolean, unknown, string][] = [
    [
      'a taken port',
      false,
      new Error('Failed to start server. Is port 8443 in use?'),
      'server.host/server.port 127.0.0.1:8443: cannot listen: Failed to start server. Is port 8443 in use?',
    ],
    [
      'BoringSSL refusing the pair, TLS in use',
      true,
      new Error('error:0B080074:x509 certificate routines:KEY_VALUES_MISMATCH'),
      'server.tls_cert/server.tls_key (/etc/relay/relay.crt, /etc/relay/relay.key): cannot serve HTTPS with them: ' +
        "error:0B080074:x509 certificate routines:KEY_VALUES_MISMATCH; the key must be the certificate's private key",
    ],
    [
      'a PEM error, TLS in use',
      true,
      new Error('PEM routines:get_name:no start line'),
      'server.tls_cert/server.tls_key (/etc/relay/relay.crt, /etc/relay/relay.key): cannot serve HTTPS with them: ' +
        "PEM routines:get_name:no start line; the key must be the certificate's private key",
    ],
    [
      'a TLS-looking message without TLS is a listen error',
      false,
      new Error('SSL something'),
      'server.host/server.port 127.0.0.1:8443: cannot listen: SSL something',
    ],
    [
      'a bind error with TLS in use is still a listen error',
      true,
      new Error('EADDRINUSE'),
      'server.host/server.port 127.0.0.1:8443: cannot listen: EADDRINUSE',
    ],
    ['a thrown string', false, 'boom', 'server.host/server.port 127.0.0.1:8443: cannot listen: boom'],
  ];
  for (const [name, tlsUsed, err, message] of cases) {
    it(name, () => {
      const e = listenError(server(), tlsUsed, err);
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toBe(message);
    });
  }
});

describe('loadTls', () => {
  const file = (name: string, text: string) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const fakeCert = () => file('fake.crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');

  it('is plain HTTP when neither key is set', () => {
    expect(loadTls(server({ tls_cert: '', tls_key: '' }))).toBeUndefined();
  });

  const refused: [string, () => Partial<Config['server']>, RegExp][] = [
    [
      'a certificate that does not exist',
      () => ({ tls_cert: join(tmp.dir, 'nowhere.crt') }),
      /^server\.tls_cert: cannot read .*nowhere\.crt \(ENOENT\); expected a PEM certificate$/,
    ],
    [
      'a certificate file that is not PEM',
      () => ({ tls_cert: file('key-as-cert.crt', '-----BEGIN PRIVATE KEY-----\n') }),
      /^server\.tls_cert: .*key-as-cert\.crt is not a PEM certificate \(no "-----BEGIN CERTIFICATE-----" line\)$/,
    ],
    [
      'a key that does not exist',
      () => ({ tls_cert: fakeCert(), tls_key: join(tmp.dir, 'absent.key') }),
      /^server\.tls_key: cannot read .*absent\.key \(ENOENT\); expected a PEM private key$/,
    ],
    [
      'a key file that is not PEM',
      () => ({ tls_cert: fakeCert(), tls_key: file('cert-as-key.key', '-----BEGIN CERTIFICATE-----\n') }),
      /^server\.tls_key: .*cert-as-key\.key is not a PEM private key \(no "-----BEGIN PRIVATE KEY-----" line\)$/,
    ],
    [
      'PEM lines around garbage',
      () => ({
        tls_cert: fakeCert(),
        tls_key: file('bad.key', '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n'),
      }),
      /^server\.tls_cert\/server\.tls_key \(.*fake\.crt, .*bad\.key\): cannot be parsed: /,
    ],
  ];
  for (const [name, o, message] of refused) {
    it(`names the key to fix: ${name}`, () => {
      expect(() => loadTls(server(o()))).toThrow(message);
    });
  }
});
