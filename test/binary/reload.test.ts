import { afterEach, describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, startBinary } from './helpers/binary.ts';
import { post, TOKEN, TOKEN2, tempDir } from './helpers/relay.ts';
import { waitFor } from './helpers/wait.ts';

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const toml = (tokens: string[], extra = '') => `[server]
port = 0
[spool]
path = "spool.db"
[cloud]
url = "http://127.0.0.1:9"
${extra}
${tokens.map((t) => `[[tokens]]\ntoken = "${t}"\n`).join('')}`;

describe('config reload on SIGHUP (compiled binary)', () => {
  it('accepts a token added to the file after SIGHUP, and keeps the running config when the new file is invalid', async () => {
    const tmp = tempDir('relay-reload-');
    cleanups.push(tmp.cleanup);
    const bin = await installBinary(tmp.dir);
    const file = join(tmp.dir, 'relay.toml');
    writeFileSync(file, toml([TOKEN]));
    const relay = await startBinary(bin, ['serve'], { cwd: tmp.dir });
    cleanups.push(() => {
      relay.proc.kill('SIGKILL');
      return relay.exited;
    });
    expect((await post(relay.url, TOKEN2, '{"a":1}')).status).toBe(401);

    writeFileSync(file, toml([TOKEN, TOKEN2]));
    relay.proc.kill('SIGHUP');
    await waitFor(() => relay.lines.some((l) => l.includes('"config reloaded"')), 'the reload log line');
    expect((await post(relay.url, TOKEN2, '{"a":2}')).status).toBe(200);

    // A typo: refused with the reason, and both tokens keep working.
    writeFileSync(file, toml([TOKEN], '[limits]\nrate_per_tokn = 5'));
    relay.proc.kill('SIGHUP');
    await waitFor(() => relay.lines.some((l) => l.includes('config reload refused')), 'the refusal log line');
    const refusal = relay.lines.find((l) => l.includes('config reload refused'))!;
    expect(refusal).toContain('limits.rate_per_tokn');
    expect((await post(relay.url, TOKEN2, '{"a":3}')).status).toBe(200);
    expect(relay.lines.join('\n')).not.toContain(TOKEN2);
  });
});
