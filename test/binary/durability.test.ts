/**
 * Promise 1's durability on the compiled binary, seen in its system calls
 * (strace): the spool's WAL is written and fsynced before each 200 is sent,
 * and the forwarder's records fsync only every 8th commit, losing none.
 */
import { describe, expect } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSite, startBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { printGuarantee } from '../helpers/guarantee.ts';
import { startMockCloud } from '../helpers/mock-cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { readSpool, relayToml } from '../helpers/reliability.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const install = (toml: string) => installSite(onCleanup, toml, 'relay-crash-');

/** strace can watch the binary's system calls only where ptrace is allowed (not in every CI container). */
const strace = Bun.which('strace');
const canTrace = strace !== null && Bun.spawnSync([strace, '-o', '/dev/null', 'true']).exitCode === 0;
const noTrace = !canTrace && 'strace is missing (make strace) or ptrace is not permitted in this container';

describe('durability of an acknowledgement', () => {
  // A kill -9 cannot tell a missing fsync (the OS page cache survives the
  // process); a power cut could. So the order of system calls is checked
  // instead: the WAL is written and fsynced before each 200 is sent.
  itUnless(noTrace)(
    'fsyncs the spool WAL after writing it and before sending each 200',
    async () => {
      const { dir, bin } = await install(relayToml({ cloudUrl: 'http://127.0.0.1:9' }));
      const log = join(dir, 'strace.log');
      const args = [
        '-f',
        '-y',
        '-e',
        'trace=pwrite64,write,fsync,fdatasync,sendto,sendmsg,writev',
        '-o',
        log,
        bin,
        'serve',
      ];
      const traced = await startBinary(strace!, args, { cwd: dir });
      const N = 20;
      for (let i = 0; i < N; i++) expect((await post(traced.url, TOKEN, `{"i":${i}}`)).status).toBe(200);
      const relayPid = Number(/^(\d+) /.exec(readFileSync(log, 'utf8'))![1]);
      process.kill(relayPid, 'SIGTERM');
      expect(await traced.exited).toBe(0);

      let dirty = false; // WAL bytes written since its last fsync
      let wrote = false; // WAL bytes written since the last 200
      let acks = 0;
      const problems: string[] = [];
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        const onWal = /-wal>/.test(line);
        if (/ pwrite64\(/.test(line) && onWal) dirty = wrote = true;
        else if (/ f(data)?sync\(/.test(line) && onWal) dirty = false;
        else if (/ send(to|msg)\(.*HTTP\/1\.1 200/.test(line)) {
          acks++;
          if (!wrote || dirty)
            problems.push(`200 #${acks} sent ${!wrote ? 'without a WAL write' : 'before the WAL fsync'}`);
          wrote = false;
        }
      }
      printGuarantee('fsync before each 200', [
        [acks, 'answers 200 seen in the trace'],
        [problems.length, 'sent before their WAL write and fsync'],
      ]);
      expect(acks).toBe(N);
      expect(problems).toEqual([]);
    },
    30_000,
  );

  // What the forwarder records answers no POS (src/spool/commit-mode.ts): its
  // commits fsync only every FSYNC_EVERY-th time in a row, and still every
  // delivery is recorded.
  itUnless(noTrace)(
    'records deliveries with one WAL fsync per 8 commits at most, and all of them end up in the spool',
    async () => {
      // Chosen beforehand: the cloud must be down while the events are posted, up later on that URL.
      const cloudPort = freePort();
      const { dir, bin, spool } = await install(relayToml({ cloudUrl: `http://127.0.0.1:${cloudPort}` }));
      const log = join(dir, 'strace.log');
      const args = ['-f', '-y', '-s', '1024', '-e', 'trace=fsync,fdatasync,sendto,sendmsg', '-o', log, bin, 'serve'];
      const traced = await startBinary(strace!, args, { cwd: dir });
      const N = 48;
      for (let i = 0; i < N; i++) expect((await post(traced.url, TOKEN, `{"i":${i}}`)).status).toBe(200);
      // A /health answer marks in the trace where the delivery starts.
      expect((await fetch(`${traced.url}/health`)).status).toBe(200);
      const cloud = await startMockCloud(cloudPort);
      onCleanup(() => cloud.stop());
      await waitFor(() => cloud.stored.length >= N, 'the cloud to store every event', 15_000);
      const relayPid = Number(/^(\d+) /.exec(readFileSync(log, 'utf8'))![1]);
      process.kill(relayPid, 'SIGTERM');
      expect(await traced.exited).toBe(0);

      let draining = false;
      let fsyncs = 0; // by the writer (the main thread) on the WAL, while delivering
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (/ send(to|msg)\(.*HTTP\/1\.1 200.*paused_tokens/.test(line)) draining = true;
        else if (draining && line.startsWith(`${relayPid} `) && / f(data)?sync\(.*-wal>/.test(line)) fsyncs++;
      }
      const rows = readSpool(spool);
      printGuarantee('delivery records', [
        [fsyncs, `WAL fsyncs for ${N} deliveries`],
        [rows.filter((r) => r.status === 'delivered').length, 'recorded delivered'],
      ]);
      expect(draining).toBe(true);
      // One record per commit (one lane, one request in flight): N commits, N / 8 fsyncs.
      expect(fsyncs).toBeGreaterThanOrEqual(Math.floor(N / 8));
      expect(fsyncs).toBeLessThanOrEqual(Math.ceil(N / 8) + 2);
      expect(rows.length).toBe(N);
      expect(rows.filter((r) => r.status === 'delivered').length).toBe(N);
    },
    30_000,
  );
});
