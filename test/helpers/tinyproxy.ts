/**
 * A real forward proxy for the proxy tests: Debian's tinyproxy, started in the
 * foreground (`-d`) with its own config in a temp dir, on 127.0.0.1 only. Its
 * log names every request it carried ("Request (file descriptor 5): CONNECT
 * 127.0.0.1:4431 HTTP/1.1"), which is how a test knows the proxy was used.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { accepts, freePort } from './ports.ts';

/** The binary, or null: the proxy tests skip, saying so, only when it is absent. */
export const TINYPROXY: string | null = Bun.which('tinyproxy');
export const NO_TINYPROXY =
  'tinyproxy is not installed (apt-get install -y tinyproxy; .ci/run installs it): proxy tests skipped';

export interface Tinyproxy {
  url: string;
  port: number;
  /** The request lines it handled, e.g. "GET http://127.0.0.1:4000/x HTTP/1.1", "CONNECT 127.0.0.1:4431 HTTP/1.1". */
  requests(): string[];
  /**
   * The same once its log has been still for 150 ms: tinyproxy may log a request after
   * its answer went out (seen on a loaded machine), so a count checked at once can be short.
   */
  settledRequests(): Promise<string[]>;
  log(): string;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  dir: string;
  /** Ports CONNECT may reach; tinyproxy allows every port when none is listed. */
  connectPorts?: number[];
  /** `BasicAuth user password`: every request must carry these. */
  basicAuth?: { user: string; password: string };
}

export async function startTinyproxy(opts: TinyproxyOptions): Promise<Tinyproxy> {
  if (!TINYPROXY) throw new Error(NO_TINYPROXY);
  const port = freePort();
  const logFile = join(opts.dir, `tinyproxy-${port}.log`);
  const conf = join(opts.dir, `tinyproxy-${port}.conf`);
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Allow 127.0.0.1',
      'Timeout 10',
      'MaxClients 20',
      `LogFile "${logFile}"`,
      // Connect: one line per request, which the tests read.
      'LogLevel Connect',
      ...(opts.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
      ...(opts.basicAuth ? [`BasicAuth ${opts.basicAuth.user} ${opts.basicAuth.password}`] : []),
      '',
    ].join('\n'),
  );
  const proc: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([TINYPROXY, '-d', '-c', conf], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  // Ready once it accepts a connection.
  const end = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(`tinyproxy exited with ${proc.exitCode}: ${await new Response(proc.stderr).text()}${log()}`);
    }
    if (await accepts(port)) break;
    if (Date.now() > end) throw new Error(`tinyproxy did not start on ${port} in 10 s:\n${log()}`);
    await Bun.sleep(20);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    requests: () => requestLines(log()),
    settledRequests: async () => {
      let text = log();
      for (let still = 0; still < 3; ) {
        await Bun.sleep(50);
        const now = log();
        still = now === text ? still + 1 : 0;
        text = now;
      }
      return requestLines(text);
    },
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

const requestLines = (log: string) =>
  [...log.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1]!.trim());
