/**
 * Real alert receivers for the alert tests: an HTTP server on port 0 that
 * records what it is POSTed (and can answer slowly, never, or with an
 * error), and a real SMTP server, Debian's python3-aiosmtpd, writing each
 * message to a Maildir (aiosmtpd.handlers.Mailbox).
 */
import { afterAll, beforeAll } from 'bun:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import type { AlertMessage } from '../../src/alerts/index.ts';
import { accepts, freePort } from './ports.ts';
import { tempDir } from './temp.ts';
import { waitFor } from './wait.ts';

/** ok: 200; hang: never answers; fail: 503 (try again later); gone: 410 (never again, as Slack for a removed hook). */
export type HookMode = 'ok' | 'hang' | 'fail' | 'gone';

export interface Hook {
  /** A Slack-like URL whose path is the secret (it must never be shown whole). */
  url: string;
  secret: string;
  got: AlertMessage[];
  /** Requests seen, answered or not. */
  requests: number;
  mode: HookMode;
  stop(): Promise<void>;
}

export async function startHook(): Promise<Hook> {
  const secret = 'T0A1B2C3/B4D5E6F7/xoxSecretPathPart';
  let release: () => void = () => {};
  const hung = new Promise<void>((r) => (release = r));
  const hook: Hook = {
    url: '',
    secret,
    got: [],
    requests: 0,
    mode: 'ok',
    stop: async () => {
      release();
      server.stop(true);
    },
  };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      hook.requests++;
      const body = (await req.json()) as AlertMessage;
      if (hook.mode === 'hang') {
        await hung;
        return new Response('late');
      }
      if (hook.mode === 'fail') return new Response('busy', { status: 503 });
      if (hook.mode === 'gone') return new Response('channel_is_archived', { status: 410 });
      hook.got.push(body);
      return new Response('ok');
    },
  });
  hook.url = `http://127.0.0.1:${server.port}/services/${secret}`;
  return hook;
}

export interface Mail {
  /** Encoded words decoded. */
  headers: Record<string, string>;
  /** Quoted-printable decoded. */
  body: string;
}

export interface Smtp {
  url: string;
  port: number;
  messages(): Mail[];
  stop(): Promise<void>;
}

const PYTHONS = ['/usr/bin/python3', 'python3'];

const hasAiosmtpd = (py: string) =>
  Bun.spawnSync([py, '-c', 'import aiosmtpd'], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0;

/**
 * A Python that can run aiosmtpd: Debian's package lands in /usr/bin/python3,
 * which a pyenv `python3` on PATH does not see. Installed once if missing
 * (.ci/run installs it); the reason when it cannot be, for the skip message.
 */
export function aiosmtpdPython(): { python: string } | { skip: string } {
  const found = () => PYTHONS.find((p) => hasAiosmtpd(p));
  let python = found();
  if (!python && Bun.which('apt-get')) {
    const install = () =>
      Bun.spawnSync(['apt-get', 'install', '-y', '-qq', 'python3-aiosmtpd'], {
        stdout: 'ignore',
        stderr: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).exitCode === 0;
    if (!install()) {
      Bun.spawnSync(['apt-get', 'update', '-qq'], { stdout: 'ignore', stderr: 'ignore' });
      install();
    }
    python = found();
  }
  return python
    ? { python }
    : { skip: 'SMTP tests skipped: python3-aiosmtpd is not installed and `apt-get install python3-aiosmtpd` failed' };
}

/** Soft line breaks and =XX escapes, then UTF-8. */
function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const flat = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < flat.length; i++) {
    const hex = flat.slice(i + 1, i + 3);
    if (flat[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...new TextEncoder().encode(flat[i]!));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** RFC 2047 encoded words ("=?UTF-8?Q?...?=", "=?UTF-8?B?...?="): a subject that is not ASCII, as nodemailer writes it. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_all, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string): Mail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const body = rest.join('\n\n');
  const qp = headers['content-transfer-encoding']?.toLowerCase() === 'quoted-printable';
  return { headers, body: qp ? decodeQuotedPrintable(body) : body };
}

/** aiosmtpd on a free port, its Maildir under `dir`; resolves once it accepts connections. */
export async function startSmtp(python: string, dir: string): Promise<Smtp> {
  const port = freePort();
  // Must not exist yet: Python's Maildir creates tmp/, new/ and cur/ only for a new folder.
  const maildir = join(dir, `maildir-${port}`);
  const proc: Subprocess = Bun.spawn(
    [python, '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdout: 'ignore', stderr: 'pipe' },
  );
  await waitFor(async () => {
    if (proc.exitCode !== null)
      throw new Error(`aiosmtpd exited: ${await new Response(proc.stderr as ReadableStream).text()}`);
    return accepts(port);
  }, 'aiosmtpd listening');
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: () => {
      const fresh = join(maildir, 'new');
      if (!existsSync(fresh)) return [];
      // <seconds>.M<micros>P<pid>Q<n>: Q counts deliveries in this server process, so it is the order.
      const q = (f: string) => Number(/Q(\d+)/.exec(f)?.[1] ?? 0);
      return readdirSync(fresh)
        .sort((x, y) => q(x) - q(y))
        .map((f) => parseMail(readFileSync(join(fresh, f), 'utf8')));
    },
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

/**
 * A real SMTP server for the tests of the describe block (or file) that
 * calls this: aiosmtpd started in its beforeAll and stopped, its Maildir
 * removed, in its afterAll. `skip` is why it cannot run here (for itUnless);
 * `server()` is the running one, inside a test.
 */
export function smtpServer(): { skip: string | false; server(): Smtp } {
  const py = aiosmtpdPython();
  const tmp = tempDir('relay-smtp-');
  let smtp: Smtp | undefined;
  beforeAll(async () => {
    if ('python' in py) smtp = await startSmtp(py.python, tmp.dir);
  });
  afterAll(async () => {
    await smtp?.stop();
    tmp.cleanup();
  });
  return {
    skip: 'skip' in py && py.skip,
    server: () => {
      if (!smtp) throw new Error('no SMTP server: server() is for the tests of the block that called smtpServer()');
      return smtp;
    },
  };
}
