/**
 * A SIGHUP that arrives while `relay serve` is still loading is kept for the
 * relay, not left to SIGHUP's default (the end of the process); other commands
 * keep the default, so closing their terminal still ends them.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.ts';

const MODULE = join(import.meta.dir, '..', '..', 'src', 'lib', 'early-signals.ts');

/** Runs a script that imports the module first, signals itself, then gives onReload a handler. */
function run(command: string): { code: number | null; signal: string | null; out: string } {
  const tmp = tempDir('relay-early-');
  try {
    const script = join(tmp.dir, 'main.ts');
    writeFileSync(
      script,
      `import { onReload } from ${JSON.stringify(MODULE)};
process.kill(process.pid, 'SIGHUP');
await Bun.sleep(100);
let reloads = 0;
onReload(() => reloads++);
process.kill(process.pid, 'SIGHUP');
await Bun.sleep(100);
console.log('reloads', reloads);
`,
    );
    const p = Bun.spawnSync([process.execPath, script, command], { stdout: 'pipe', stderr: 'pipe', timeout: 10_000 });
    return { code: p.exitCode, signal: p.signalCode == null ? null : String(p.signalCode), out: p.stdout.toString() };
  } finally {
    tmp.cleanup();
  }
}

describe('SIGHUP before the relay is ready', () => {
  it('relay serve keeps it: the reload runs once a handler is given, and later ones reach it too', () => {
    expect(run('serve')).toEqual({ code: 0, signal: null, out: 'reloads 2\n' });
  });

  it('any other command keeps the default: the signal ends it', () => {
    const r = run('status');
    expect(r.signal).toBe('SIGHUP');
    expect(r.out).toBe('');
  });
});
