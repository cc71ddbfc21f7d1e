import { join } from 'node:path';

/** The openssl CLI, or null where there is none (the HTTPS tests then say so and skip). */
export const OPENSSL = Bun.which('openssl');

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, as `relay init` might make one. */
export function makeCert(dir: string, name: string): { cert: string; key: string } {
  if (!OPENSSL) throw new Error('no openssl CLI on PATH to make a certificate');
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const p = Bun.spawnSync(
    [
      OPENSSL,
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=relay.local',
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    ],
    { stderr: 'pipe' },
  );
  if (p.exitCode !== 0) throw new Error(`openssl failed: ${p.stderr.toString()}`);
  return { cert, key };
}
