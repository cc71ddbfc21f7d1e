/**
 * A command's output is whole however it is read: through a pipe whose
 * reader is slower than the relay writes (`relay events list | less`), into a
 * file, and cut short by a reader that leaves (`| head`), which must not
 * turn into an error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary } from '../helpers/binary.ts';
import { seedSpool, writeConfig } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const EVENTS = 5128;

let dir = '';
let bin = '';
let removeDir = () => {};
// One spool for both tests: seeding five thousand events takes a while.
beforeAll(async () => {
  const tmp = tempDir('relay-cli-pipe-');
  dir = tmp.dir;
  removeDir = tmp.cleanup;
  bin = await installBinary(dir);
  writeConfig(dir, { port: 9, cloudUrl: 'http://127.0.0.1:9' });
  await seedSpool(
    join(dir, 'spool', 'relay.db'),
    Array.from({ length: EVENTS }, (_, i) => ({ body: JSON.stringify({ event: 'order_created', i }) })),
  );
});
afterAll(() => removeDir());

/** Runs `relay ARGS | READER` in a shell; the reader's output and the relay's exit code. */
function piped(args: string, reader: string): { out: string; relayCode: number } {
  const p = Bun.spawnSync(['/bin/bash', '-c', `"${bin}" ${args} | ${reader}; echo "relay=\${PIPESTATUS[0]}" >&2`], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 60_000,
  });
  const code = /relay=(\d+)/.exec(p.stderr.toString());
  return { out: p.stdout.toString(), relayCode: code ? Number(code[1]) : -1 };
}

describe('CLI output through a pipe', () => {
  it('relay events list, text and --json, reaches a slow reader whole', () => {
    for (const json of ['', ' --json']) {
      const slow = piped(`events list --limit ${EVENTS}${json}`, '(sleep 1; cat)');
      const lines = slow.out.trimEnd().split('\n');
      expect(slow.relayCode).toBe(0);
      // --json: one line per event; text: a header, one line per event, and a note that the limit was reached.
      expect(lines.length).toBeGreaterThanOrEqual(EVENTS);
      expect(slow.out.length).toBeGreaterThan(131_072 * 2);
      const file = join(dir, `list${json.trim()}.txt`);
      Bun.spawnSync(['/bin/bash', '-c', `"${bin}" events list --limit ${EVENTS}${json} > "${file}"`], { cwd: dir });
      expect(slow.out).toBe(readFileSync(file, 'utf8'));
    }
  }, 90_000);

  it('a reader that leaves early (| head -1) ends the command quietly, without an error', () => {
    const p = Bun.spawnSync(['/bin/bash', '-c', `"${bin}" events list --limit ${EVENTS} | head -1`], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: 60_000,
    });
    expect(p.stdout.toString().split('\n').filter(Boolean)).toHaveLength(1);
    expect(p.stderr.toString()).toBe('');
  }, 60_000);
});
