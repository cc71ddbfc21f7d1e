import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WARNING_HEADER } from '../../http/index.ts';
import { maskToken, scrubTokens } from '../../lib/mask.ts';
import { type Command, loadConfigFor, parseCommandArgs, UsageError } from '../context.ts';
import { localRelayUrl, request, resolveToken } from '../lib/local.ts';
import { printJson } from '../lib/output.ts';

/** The relay answers after an fsync, in milliseconds; this only bounds a hung relay. */
const SEND_TIMEOUT_MS = 15_000;

export const send: Command = {
  name: 'send',
  summary: 'post a test event (a JSON file, or - for stdin) to the local relay and print its answer',
  usage:
    'relay send --token T [--env dev|prod] FILE|- [--json] [--config FILE]\n' +
    '(--env defaults to dev, so a test never lands in production; T may be the first 8 characters of a configured token)',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'send',
      args,
      { token: { type: 'string', short: 't' }, env: { type: 'string' }, json: { type: 'boolean' } },
      true,
    );
    if (values.token === undefined) throw new UsageError('relay send: --token T is required');
    if (positionals.length !== 1) {
      throw new UsageError(`relay send: expected one FILE (or - for stdin), got ${positionals.length}`);
    }
    const env = values.env ?? 'dev';
    // Checked here, not only by the relay: a typo must not send test data to production.
    if (env !== 'dev' && env !== 'prod') {
      throw new UsageError(`relay send: --env must be dev or prod, got ${JSON.stringify(env)}`);
    }
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const { config } = loaded;

    const source = positionals[0]!;
    let body: Uint8Array;
    try {
      body = source === '-' ? new Uint8Array(await Bun.stdin.arrayBuffer()) : readFileSync(resolve(io.cwd, source));
    } catch (e) {
      io.err(`relay send: cannot read ${source === '-' ? 'stdin' : JSON.stringify(source)}: ${(e as Error).message}`);
      return 2;
    }

    // A prefix of a configured token is completed; anything else is sent as given (the relay answers 401).
    const r = resolveToken(
      values.token,
      config.tokens.map((t) => t.token),
    );
    if (!r.ok && r.ambiguous) throw new UsageError(`relay send: ${r.problem}`);
    const token = r.ok ? r.token : values.token;
    const base = localRelayUrl(config);
    if (!base) {
      io.err(
        'relay send: server.port is 0 in the config (a port chosen at start); set a fixed port to send to the relay',
      );
      return 1;
    }
    const url = `${base}/webhooks/v1/pos/${encodeURIComponent(token)}?env=${env}`;
    const shown = `${base}/webhooks/v1/pos/${maskToken(token)}?env=${env}`;
    const answer = await request(url, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: SEND_TIMEOUT_MS,
      insecureTls: true,
    });
    if (!answer.ok) {
      io.err(
        `relay send: the relay did not answer at ${base} (${scrubTokens(answer.error, [token])}); is it running? (relay status)`,
      );
      return 1;
    }
    const text = scrubTokens(answer.text, [token]);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: print as it came
    }
    if (values.json) {
      printJson(io, { url: shown, status: answer.status, answer: parsed });
    } else {
      io.out(`POST ${shown} (${body.length} bytes) -> ${answer.status} in ${Math.round(answer.ms)} ms`);
      io.out(typeof parsed === 'string' ? parsed : JSON.stringify(parsed, null, 2));
      // The cloud guide's silent failures: stored, but missing from the dashboard. Say so plainly.
      const warnings = answerWarnings(answer.headers.get(WARNING_HEADER), parsed);
      if (answer.status === 200 && warnings.length > 0) {
        io.out(
          `\n${warnings.length} warning(s): the event was accepted, but the dashboard may not show it as expected:`,
        );
        for (const w of warnings) io.out(`  ⚠️  ${String(w)}`);
      }
    }
    return answer.status === 200 ? 0 : 1;
  },
};

/**
 * The payload warnings of an answer: the header every warned answer carries
 * (a JSON array of sentences), else the body's `warnings` (a relay that puts
 * them there too, or an older one).
 */
function answerWarnings(header: string | null, body: unknown): string[] {
  if (header !== null) {
    try {
      const v: unknown = JSON.parse(header);
      if (Array.isArray(v)) return v.map(String);
    } catch {
      // not the relay's header: fall back to the body
    }
  }
  const w = (body as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(w) ? w.map(String) : [];
}
