/**
 * The harness side of lossy_fs.py: mounts it, cuts the power, remounts.
 *
 * A power cut here is: (the caller kills -9 whatever ran on the mount) → the
 * FS drops every page not fsynced and answers how much → unmount → a fresh FS
 * process over the same backing directory. The remount is what clears the
 * kernel's page cache, which would otherwise keep serving the dropped data.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

const SCRIPT = join(import.meta.dir, 'lossy_fs.py');
/** Debian's python3-fusepy installs for Debian's own python3, not for any other on PATH (pyenv). */
const PYTHON = '/usr/bin/python3';
/** The Debian packages the FS needs (also in .ci/run). */
export const FUSE_PACKAGES = ['python3-fusepy', 'fuse3'];

export interface CutReport {
  /** Files that had unsynced data. */
  files: number;
  /** Unsynced 4 KB pages, and those a torn cut let through to the disk anyway. */
  pages: number;
  pages_kept: number;
  /** Files created and never made durable (fsync of the file or its directory), removed. */
  created_removed: number;
  lost_pages_by_name: Record<string, number>;
}

export interface FsStats {
  writes: number;
  write_bytes: number;
  fsyncs: number;
  fsync_wait_ms: number;
  /** fsyncs per file name (a directory ends with '/'). */
  by_name: Record<string, number>;
}

function run(cmd: string[]): { ok: boolean; out: string } {
  const p = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
  return { ok: p.exitCode === 0, out: `${p.stdout.toString()}${p.stderr.toString()}`.trim() };
}

/** Installs the packages where they are missing (as `make bench` does wrk); throws where that fails. */
function ensurePackages(): void {
  if (run([PYTHON, '-c', 'import fusepy']).ok && Bun.which('fusermount3')) return;
  console.log(`lossy-fs: installing ${FUSE_PACKAGES.join(' ')} with apt-get`);
  const install = () => run(['apt-get', 'install', '-y', ...FUSE_PACKAGES]).ok;
  if (!install()) {
    run(['apt-get', 'update']);
    install();
  }
  if (!run([PYTHON, '-c', 'import fusepy']).ok)
    throw new Error(`lossy-fs: ${PYTHON} cannot import fusepy; apt-get install -y ${FUSE_PACKAGES.join(' ')}`);
}

let verdict: Promise<string | null> | null = null;

/**
 * Why FUSE cannot be used here (no /dev/fuse, or a trial mount fails, as in a
 * container without CAP_SYS_ADMIN), or null when it can. Missing packages are
 * installed, not a reason to skip.
 */
export function fuseUnavailable(): Promise<string | null> {
  verdict ??= (async () => {
    if (!existsSync('/dev/fuse')) return '/dev/fuse does not exist (no FUSE in this kernel or container)';
    ensurePackages();
    const dir = mkdtempSync(join(tmpdir(), 'lossy-fs-probe-'));
    try {
      const fs = await LossyFs.mount({ backing: join(dir, 'b'), mnt: join(dir, 'm') });
      await fs.unmount();
      return null;
    } catch (e) {
      const msg = (e as Error).message;
      // Only the kernel or the container refusing the mount is a reason to skip; a broken
      // lossy_fs.py must fail the tests, not silently skip them.
      if (!/not permitted|permission denied|mount failed|no such device|fuse: device/i.test(msg)) throw e;
      return `a trial FUSE mount failed: ${msg.split('\n').slice(0, 3).join(' ')}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return verdict;
}

export class LossyFs {
  private replies: ((line: string) => void)[] = [];
  private stderr: string[] = [];

  private constructor(
    readonly backing: string,
    readonly mnt: string,
    readonly fsyncMs: number,
    private proc: Subprocess<'pipe', 'pipe', 'pipe'>,
  ) {}

  /** Mounts a fresh FS process at `mnt` over `backing` (both created if missing) and waits for "ready". */
  static async mount(o: { backing: string; mnt: string; fsyncMs?: number }): Promise<LossyFs> {
    mkdirSync(o.backing, { recursive: true });
    mkdirSync(o.mnt, { recursive: true });
    const args = [PYTHON, SCRIPT, o.backing, o.mnt, '--fsync-ms', String(o.fsyncMs ?? 0)];
    // No __pycache__ left in the tree.
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    const proc = Bun.spawn(args, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', env });
    const fs = new LossyFs(o.backing, o.mnt, o.fsyncMs ?? 0, proc);
    fs.pump();
    const ready = fs.next();
    const timer = new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no "ready" within 10 s')), 10_000));
    const died = proc.exited.then((c) => Promise.reject(new Error(`lossy_fs.py exited with ${c}`)));
    try {
      const line = await Promise.race([ready, timer, died]);
      if (line !== 'ready') throw new Error(`expected "ready", got ${JSON.stringify(line)}`);
    } catch (e) {
      proc.kill('SIGKILL');
      await proc.exited;
      unmountLazy(o.mnt);
      throw new Error(`${(e as Error).message}\n${fs.stderr.join('').slice(-2000)}`);
    }
    return fs;
  }

  private pump(): void {
    void (async () => {
      let buf = '';
      for await (const chunk of this.proc.stdout) {
        buf += new TextDecoder().decode(chunk);
        for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          this.replies.shift()?.(line);
        }
      }
    })();
    void (async () => {
      for await (const chunk of this.proc.stderr) {
        this.stderr.push(new TextDecoder().decode(chunk));
        if (this.stderr.length > 200) this.stderr.shift();
      }
    })();
  }

  private next(): Promise<string> {
    return new Promise((resolve) => this.replies.push(resolve));
  }

  /** One control command; its answer's JSON. The FS answers every command, in order. */
  private async command<T>(cmd: string): Promise<T> {
    const answer = this.next();
    this.proc.stdin.write(`${cmd}\n`);
    this.proc.stdin.flush();
    const line = await Promise.race([answer, Bun.sleep(15_000).then(() => `error no answer to ${cmd} within 15 s`)]);
    const word = cmd.split(' ')[0]!;
    if (!line.startsWith(`${word} `)) throw new Error(`lossy_fs.py: ${cmd}: ${line}\n${this.problems().join('\n')}`);
    return JSON.parse(line.slice(word.length + 1)) as T;
  }

  /** The power goes: every unsynced page is dropped (`keep`: each reaches the disk with that probability). */
  cut(o: { keep?: number; seed?: number } = {}): Promise<CutReport> {
    return this.command<CutReport>(`cut ${o.keep ?? 0} ${o.seed ?? 0}`);
  }

  /** Everything written reaches the backing files (as sync(1)). */
  async sync(): Promise<void> {
    await this.command('sync');
  }

  stats(): Promise<FsStats> {
    return this.command<FsStats>('stats');
  }

  /** Exceptions the FS hit (each became an EINVAL for the caller): a bug in the FS, not in the program under test. */
  problems(): string[] {
    return this.stderr
      .join('')
      .split('\n')
      .filter((l) => /Uncaught|Traceback|critical/i.test(l));
  }

  /** Unmounts and waits for the FS process to end. Without a cut first, that is a clean shutdown: nothing is lost. */
  async unmount(): Promise<void> {
    if (this.proc.exitCode === null && isMounted(this.mnt)) {
      if (!run(['fusermount3', '-u', this.mnt]).ok) unmountLazy(this.mnt);
    }
    const gone = await Promise.race([this.proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!gone) {
      this.proc.kill('SIGKILL');
      await this.proc.exited;
    }
    unmountLazy(this.mnt); // a no-op unless the process died with the mount still there
  }

  /** The whole power cut: drop, unmount, and a fresh FS over the same backing directory. */
  async powerCut(o: { keep?: number; seed?: number } = {}): Promise<{ fs: LossyFs; report: CutReport }> {
    const report = await this.cut(o);
    await this.unmount();
    const fs = await LossyFs.mount({ backing: this.backing, mnt: this.mnt, fsyncMs: this.fsyncMs });
    return { fs, report };
  }
}

export function isMounted(mnt: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === mnt);
}

function unmountLazy(mnt: string): void {
  if (isMounted(mnt)) run(['umount', '-l', mnt]);
}
