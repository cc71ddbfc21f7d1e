import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hostTimeZone, maskToken, parseConfig } from '../../config/index.ts';
import { detectLanguage } from '../../i18n/index.ts';
import { VERSION } from '../../version.ts';
import { type Command, type Io, parseCommandArgs, UsageError } from '../context.ts';
import { renderConfig, TOKEN_ENV } from '../templates/config.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
// The token is a path segment of the webhook URL (/webhooks/v1/pos/{token}):
// nothing that would end or split the segment, no spaces or control characters.
const BAD_TOKEN_CHAR = /[\s\u0000-\u001f\u007f/?#%\\"]/;

const TLS_DIR = 'tls';

export const init: Command = {
  name: 'init',
  summary: 'write a commented config to start from (refuses to overwrite without --force)',
  usage:
    'relay init [--config FILE] [--token TOKEN]... [--admin-password-env NAME] [--tls [--tls-san NAME]...] [--force]\n' +
    '  --config FILE              where to write (default ./relay.toml)\n' +
    '  --token TOKEN              a POS token to accept; repeat for several (default: read from $RELAY_TOKEN)\n' +
    '  --admin-password-env NAME  protect /admin and /metrics with the password in $NAME (default: this machine only)\n' +
    '  --tls                      also write a self-signed certificate (needs the openssl command)\n' +
    '  --tls-san NAME             an extra host name or IP address for the certificate; repeatable\n' +
    '  --force                    overwrite an existing file',
  async run(args, io) {
    const { values } = parseCommandArgs('init', args, {
      token: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      'admin-password-env': { type: 'string' },
      tls: { type: 'boolean' },
      'tls-san': { type: 'string', multiple: true },
    });
    const tokens = values.token ?? [];
    checkTokens(tokens);
    const adminEnv = values['admin-password-env'];
    if (adminEnv !== undefined && !ENV_NAME.test(adminEnv)) {
      throw new UsageError(
        `relay init: --admin-password-env expects a variable name like RELAY_ADMIN_PASSWORD, got ${JSON.stringify(adminEnv)}`,
      );
    }
    if (values['tls-san'] && !values.tls) throw new UsageError('relay init: --tls-san needs --tls');

    const path = resolve(io.cwd, values.config ?? 'relay.toml');
    const force = values.force === true;
    if (existsSync(path) && !force) {
      io.err(`relay init: ${path} already exists; it was left as it is (pass --force to overwrite it)`);
      return 2;
    }
    const tls = values.tls ? { cert: `${TLS_DIR}/cert.pem`, key: `${TLS_DIR}/key.pem` } : undefined;
    const text = renderConfig({
      tokens,
      adminPasswordEnv: adminEnv,
      tls,
      timezone: hostTimeZone(),
      language: detectLanguage(io.env),
      writtenBy: `Written by \`relay init\` (relay ${VERSION}) on ${new Date().toISOString().slice(0, 10)}.`,
    });
    // The template must always be a file `relay check` accepts; a broken one is our bug, not the technician's.
    const self = parseConfig(text, { path, env: anyEnv() });
    if (!self.ok) {
      io.err(`relay init: internal error, the generated config is invalid:\n${self.problems.join('\n')}`);
      return 1;
    }

    mkdirSync(dirname(path), { recursive: true });
    if (tls) {
      const made = makeSelfSignedCert(dirname(path), tls, values['tls-san'] ?? [], force, io);
      if (!made) return 1;
    }
    try {
      // "wx" fails if the file appeared meanwhile: never overwrite without --force.
      // 0600: the file holds the POS tokens (ignored on Windows).
      writeFileSync(path, text, { flag: force ? 'w' : 'wx', mode: 0o600 });
      if (process.platform !== 'win32') chmodSync(path, 0o600);
    } catch (e) {
      io.err(`relay init: cannot write ${path}: ${(e as Error).message}`);
      return 1;
    }

    const shown = tokens.length > 0 ? tokens.map(maskToken).join(', ') : `from $${TOKEN_ENV}`;
    io.out(
      `wrote ${path} (${tokens.length || 1} token(s): ${shown}; admin pages: ${adminEnv ? `password from $${adminEnv}` : 'this machine only'})`,
    );
    const needed = [...(tokens.length === 0 ? [TOKEN_ENV] : envRefs(tokens)), ...(adminEnv ? [adminEnv] : [])];
    if (needed.length > 0) {
      io.out(`set ${needed.join(', ')} in the environment of \`relay check\` and of the service, or edit the file`);
    }
    io.out(`next: relay check --config ${path}`);
    return 0;
  },
};

function checkTokens(tokens: string[]): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t === '') throw new UsageError('relay init: --token expects a token, got an empty string');
    const bare = t.replace(ENV_REF, '');
    if (BAD_TOKEN_CHAR.test(bare)) {
      throw new UsageError(
        `relay init: --token ${maskToken(t)} contains a space, quote, /, ?, #, % or control character; a token is one URL path segment`,
      );
    }
    if (seen.has(t)) throw new UsageError(`relay init: --token ${maskToken(t)} is given twice`);
    seen.add(t);
  }
}

function envRefs(tokens: string[]): string[] {
  return tokens.flatMap((t) => [...t.matchAll(ENV_REF)].map((m) => m[1]!));
}

/** Every ${NAME} resolves to a distinct stand-in, so the self-check tests the file's shape only. */
function anyEnv(): Record<string, string> {
  return new Proxy({}, { get: (_t, name) => `stand-in-${String(name)}` });
}

/**
 * A self-signed RSA certificate for the POS to trust (RFC 5280 subjectAltName:
 * clients match the URL's host against it, not against the CN). RSA 2048 rather
 * than ECDSA: older POS TLS stacks support it everywhere.
 */
function makeSelfSignedCert(
  dir: string,
  tls: { cert: string; key: string },
  extraSans: string[],
  force: boolean,
  io: Io,
): boolean {
  const cert = join(dir, tls.cert);
  const key = join(dir, tls.key);
  for (const f of [cert, key]) {
    if (existsSync(f) && !force) {
      io.err(`relay init: ${f} already exists; it was left as it is (pass --force to overwrite it)`);
      return false;
    }
  }
  const openssl = Bun.which('openssl', { PATH: io.env.PATH ?? '' });
  if (!openssl) {
    io.err(
      'relay init --tls: the openssl command is not on PATH. Install it, or create a PEM certificate and key another way ' +
        `and set server.tls_cert and server.tls_key; run again without --tls to write the config alone.`,
    );
    return false;
  }
  const names = ['localhost', '127.0.0.1', hostname(), ...extraSans].filter((n, i, all) => n && all.indexOf(n) === i);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  mkdirSync(dirname(cert), { recursive: true });
  const p = Bun.spawnSync(
    [
      openssl,
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/CN=${hostname() || 'relay'}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  if (p.exitCode !== 0) {
    io.err(`relay init --tls: openssl exited with ${p.exitCode}: ${p.stderr.toString().trim()}`);
    return false;
  }
  if (process.platform !== 'win32') chmodSync(key, 0o600);
  io.out(`wrote ${cert} and ${key} (self-signed for ${names.join(', ')}, valid 10 years)`);
  return true;
}
