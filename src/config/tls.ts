import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { authority } from './listen.ts';
import type { Config } from './schema.ts';

/** The PEM texts Bun's server takes as `tls`. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * The PEM files for HTTPS, read before the spool opens so that a wrong path
 * or a file of the wrong kind stops start-up naming the key to fix.
 * Both keys empty: plain HTTP.
 */
export function loadTls(server: Config['server']): TlsFiles | undefined {
  if (server.tls_cert === '' && server.tls_key === '') return undefined;
  const read = (key: 'tls_cert' | 'tls_key', begin: RegExp, line: string, what: string): string => {
    const path = server[key];
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`server.${key}: cannot read ${path} (${err.code ?? err.message}); expected ${what}`);
    }
    if (!begin.test(text)) throw new Error(`server.${key}: ${path} is not ${what} (no "${line}" line)`);
    return text;
  };
  const cert = read('tls_cert', /-----BEGIN CERTIFICATE-----/, '-----BEGIN CERTIFICATE-----', 'a PEM certificate');
  const key = read('tls_key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/, '-----BEGIN PRIVATE KEY-----', 'a PEM private key');
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new Error(
      `server.tls_cert/server.tls_key (${server.tls_cert}, ${server.tls_key}): cannot be parsed: ${(e as Error).message}`,
    );
  }
  if (!matches) {
    throw new Error(
      `server.tls_key: ${server.tls_key} is not the private key of server.tls_cert ${server.tls_cert}; ` +
        `give the key that was generated with that certificate`,
    );
  }
  return { cert, key };
}

/** What BoringSSL's messages look like ("KEY_VALUES_MISMATCH", "PEM routines", "X.509"). */
const TLS_MESSAGE = /SSL|X\.509|PEM|KEY|certificate/i;

/**
 * Why the server could not listen, naming the config keys to fix: BoringSSL's
 * errors name neither file, and a bind error names no key. A TLS-looking
 * message is blamed on the PEM files only when they were given.
 */
export function listenError(
  server: Config['server'],
  tlsUsed: boolean,
  err: unknown,
  host: string = typeof server.host === 'string' ? server.host : (server.host[0] ?? ''),
): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (tlsUsed && TLS_MESSAGE.test(msg)) {
    return new Error(
      `server.tls_cert/server.tls_key (${server.tls_cert}, ${server.tls_key}): ` +
        `cannot serve HTTPS with them: ${msg}; the key must be the certificate's private key`,
    );
  }
  return new Error(`server.host/server.port ${authority(host, server.port)}: cannot listen: ${msg}`);
}
