/**
 * `relay service` and the compiled binary: the unit it writes passes
 * systemd-analyze (where installed), and the binary installs itself by its
 * own absolute path. The rest of `relay service` is test/unit/service.test.ts
 * and test/integration/service.test.ts.
 */
import { describe, expect, it } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSink } from 'bun';
import { systemdUnit } from '../../src/cli/service/systemd.ts';
import { installBinary, runBinary, startBinary, stopBinary } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { TOKEN } from '../helpers/config.ts';
import { cli, iniValues } from '../helpers/install.ts';
import { ORDER_CREATED, post } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';

const onCleanup = useCleanup();
const dir = () => onCleanup.tempDir('relay-service-');

/** A site as `relay init` leaves it: <dir>/relay.toml with one token. */
async function site(extraInit: string[] = []): Promise<string> {
  const d = dir();
  expect((await cli(['init', '--token', TOKEN, ...extraInit], { cwd: d })).code).toBe(0);
  return d;
}

describe('the systemd unit', () => {
  itUnless(!Bun.which('systemd-analyze') && 'no systemd-analyze here (apt-get install -y systemd)')(
    'passes systemd-analyze verify, also with spaces and % in the paths',
    async () => {
      const d = dir();
      const odd = join(d, 'pos relay 100%');
      mkdirSync(odd);
      const bin = await installBinary(odd);
      for (const config of [join(d, 'relay.toml'), join(odd, 'relay.toml')]) {
        const unitPath = join(d, 'relay.service');
        writeFileSync(unitPath, systemdUnit({ binary: bin, config }));
        const p = Bun.spawnSync(['systemd-analyze', 'verify', unitPath], { stdout: 'pipe', stderr: 'pipe' });
        const said = `${p.stdout.toString()}${p.stderr.toString()}`;
        // verify resolves ExecStart's first word: a quoting mistake shows as "not executable".
        expect(said.split('\n').filter((l) => l.includes('relay.service'))).toEqual([]);
        expect(p.exitCode).toBe(0);
      }
    },
  );
});

describe('relay service install / uninstall (Linux)', () => {
  it('the compiled binary installs itself by its own absolute path', async () => {
    const d = await site();
    const bin = await installBinary(d);
    const unitPath = join(d, 'relay.service');
    const r = runBinary(bin, ['service', 'install', '--unit-path', unitPath], d);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(iniValues(readFileSync(unitPath, 'utf8')).get('ExecStart')).toEqual([
      `${bin} serve --config ${join(d, 'relay.toml')}`,
    ]);
  });
});

describe('relay serve --service (how relay-service.exe runs it on Windows)', () => {
  it('stops gracefully when its standard input closes, and not before', async () => {
    const d = await site();
    writeFileSync(
      join(d, 'relay.toml'),
      readFileSync(join(d, 'relay.toml'), 'utf8').replace(/^port = 8080$/m, 'port = 0'),
    );
    const bin = await installBinary(d);
    const r = await startBinary(bin, ['serve', '--service'], { cwd: d, stdin: 'pipe' });
    onCleanup(() => stopBinary(r));
    const stdin = r.proc.stdin as FileSink;
    stdin.write('anything the wrapper might write is ignored\n');
    await stdin.flush();
    expect((await post(r.url, TOKEN, ORDER_CREATED)).status).toBe(200);
    expect(r.proc.exitCode).toBeNull();
    await stdin.end();
    expect(await r.exited).toBe(0);
    const stopping = r.lines
      .map((l) => JSON.parse(l) as { msg: string; signal?: string })
      .find((l) => l.msg === 'stopping');
    expect(stopping?.signal).toBe('service stop (standard input closed)');
    expect(r.lines.some((l) => l.includes('"relay stopped"'))).toBe(true);
  }, 30_000);
});
