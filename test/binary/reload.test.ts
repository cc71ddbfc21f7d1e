/**
 * SIGHUP makes the running binary read its relay.toml again: a token added
 * is accepted at once; a file with a mistake is refused with the reason, and
 * the running config stays.
 */
import { describe, expect, it } from 'bun:test';
import { installBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { writeToml } from '../helpers/config.ts';
import { post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();

/** relay.toml in `dir` with just these tokens; `extra` is raw TOML appended (a mistake). */
const writeTokens = (dir: string, tokens: string[], extra = '') =>
  writeToml(dir, { tokens: tokens.map((token) => ({ token })) }, { extra });

describe('config reload on SIGHUP (compiled binary)', () => {
  it('accepts a token added to the file after SIGHUP, and keeps the running config when the new file is invalid', async () => {
    const dir = onCleanup.tempDir('relay-reload-');
    const bin = await installBinary(dir);
    writeTokens(dir, [TOKEN]);
    const relay = await startBinary(bin, ['serve'], { cwd: dir });
    onCleanup(() => stopBinary(relay));
    expect((await post(relay.url, TOKEN2, '{"a":1}')).status).toBe(401);

    writeTokens(dir, [TOKEN, TOKEN2]);
    relay.proc.kill('SIGHUP');
    await waitFor(() => relay.lines.some((l) => l.includes('"config reloaded"')), 'the reload log line');
    expect((await post(relay.url, TOKEN2, '{"a":2}')).status).toBe(200);

    // A typo: refused with the reason, and both tokens keep working.
    writeTokens(dir, [TOKEN], '[limits]\nrate_per_tokn = 5');
    relay.proc.kill('SIGHUP');
    await waitFor(() => relay.lines.some((l) => l.includes('config reload refused')), 'the refusal log line');
    const refusal = relay.lines.find((l) => l.includes('config reload refused'))!;
    expect(refusal).toContain('limits.rate_per_tokn');
    expect((await post(relay.url, TOKEN2, '{"a":3}')).status).toBe(200);
    expect(relay.lines.join('\n')).not.toContain(TOKEN2);
  });
});
