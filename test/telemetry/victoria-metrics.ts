/**
 * VictoriaMetrics, the OTLP receiver test/binary/telemetry.test.ts pushes to:
 * Debian 13's package in the chroot test/telemetry/setup.sh makes (cached
 * outside the repository; `make victoria-metrics`, else here). It takes
 * OTLP/HTTP protobuf at /opentelemetry/v1/metrics, makes resource attributes
 * labels, and answers PromQL at /api/v1/query.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OnCleanup } from '../helpers/cleanup.ts';
import { accepts, freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const CACHE = process.env.RELAY_VM_CACHE ?? '/var/cache/relay-vm';
const CHROOT = join(CACHE, 'trixie');
const SETUP = join(import.meta.dir, 'setup.sh');

/** Why VictoriaMetrics cannot run here (the setup's own sentence); undefined when it can. */
export function victoriaMetricsUnavailable(): string | undefined {
  const p = Bun.spawnSync(['bash', SETUP], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env } });
  if (p.exitCode === 0) return undefined;
  try {
    return readFileSync(join(CACHE, 'failed'), 'utf8').trim();
  } catch {
    return `test/telemetry/setup.sh failed: ${p.stderr.toString().trim().split('\n').at(-1)}`;
  }
}

export interface Victoria {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The OTLP/HTTP base URL for `[telemetry] endpoint`: metrics go to <this>/v1/metrics. */
  otlp: string;
  /** An instant PromQL query's vector: each series' labels and value. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
}

/** Starts victoria-metrics in the chroot on a free port with fresh storage; stopped and removed after the test. */
export async function startVictoriaMetrics(onCleanup: OnCleanup): Promise<Victoria> {
  const port = freePort();
  const data = `/tmp/relay-vm-${process.pid}-${port}`;
  mkdirSync(join(CHROOT, data), { recursive: true });
  const proc = Bun.spawn(
    [
      'chroot',
      CHROOT,
      '/usr/bin/victoria-metrics',
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${data}`,
      // Fresh samples answer queries at once (the default hides the last 30 s).
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
    ],
    { stdout: 'ignore', stderr: 'pipe' },
  );
  onCleanup(async () => {
    proc.kill('SIGKILL');
    await proc.exited;
    rmSync(join(CHROOT, data), { recursive: true, force: true });
  });
  await waitFor(() => accepts(port), `victoria-metrics listening on 127.0.0.1:${port}`, 20_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    otlp: `${url}/opentelemetry`,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
      return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}
