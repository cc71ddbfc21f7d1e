/**
 * `relay status` and `relay doctor` in the restaurant's language ([site]
 * language = "pt-BR"): what a person reads is Portuguese; /health's reasons
 * come as the relay sent them (English, the machine view) and --json keeps
 * its English words for scripts.
 */
import { describe, expect, it } from 'bun:test';
import { buildHealth } from '../../src/health/index.ts';
import { healthyLog } from '../../src/lib/log.ts';
import type { SpoolStats } from '../../src/spool/index.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { runInProcess, writeConfig } from '../helpers/cli.ts';
import { refusingCloud } from '../helpers/mock-cloud.ts';
import { TOKEN, TOKEN2 } from '../helpers/relay.ts';

const onCleanup = useCleanup();
const PT = { site: { language: 'pt-BR' } };

function relayAnswering(body: unknown): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json(body) });
  onCleanup(() => server.stop(true));
  return server.port as number;
}

/** A relay whose cloud refuses the Main POS's token: degraded, one paused token. */
const paused = buildHealth({
  spool: {
    pending: 0,
    delivered: 0,
    dead: 0,
    bytes: 4096,
    maxBytes: 1 << 30,
    lastWriteError: null,
    quarantined: [],
    salvaging: false,
  } as unknown as SpoolStats,
  cloud: { reachable: true, since: Date.UTC(2026, 0, 1, 12), sinceMono: 0, lastDeliveryAt: null, lastError: null },
  paused: [{ token: TOKEN, until: Date.UTC(2026, 0, 1, 13), reason: 'cloud answered 401' }],
  stalled: [],
  log: healthyLog(),
  clock: { recent: [], steps: 0 },
  mono: 1000,
  tokens: [{ token: TOKEN, name: 'Main POS' }],
  version: '9.9.9',
});

describe('relay status in Portuguese', () => {
  const run = (json: boolean) => {
    const dir = onCleanup.tempDir('relay-cli-pt-');
    const config = writeConfig(dir, { port: relayAnswering(paused), config: PT });
    return runInProcess(['status', ...(json ? ['--json'] : []), '--config', config], { cwd: dir });
  };

  it('says the relay, the cloud and the spool in Portuguese, labels aligned, and exits 1', async () => {
    const r = await run(false);
    expect(r.code).toBe(1);
    const lines = r.stdout().split('\n');
    expect(lines[0]).toMatch(
      /^relay: {10}em execução em http:\/\/127\.0\.0\.1:\d+ — com problemas \(versão 9\.9\.9\)$/,
    );
    // /health's reason as the relay sent it: its machine view is English.
    expect(lines[1]).toStartWith(`${' '.repeat(16)}token_paused: The cloud refuses token 019ab6ed… (Main POS)`);
    expect(lines).toContainEqual(expect.stringMatching(/^nuvem: {10}acessível desde .* — http/));
    expect(lines).toContain(`${' '.repeat(16)}última entrega: nenhuma desde o início`);
    expect(lines).toContain(`${' '.repeat(16)}token 019ab6ed… PAUSADO: cloud answered 401`);
    expect(lines).toContain('nenhum evento no armazenamento');
    expect(r.stdout()).not.toContain(TOKEN);
  });

  it('keeps --json in English for scripts', async () => {
    const j = JSON.parse((await run(true)).stdout());
    expect(j.relay).toMatchObject({ running: true, status: 'degraded' });
    expect(j.relay.reasons[0].detail).toStartWith('The cloud refuses token 019ab6ed…');
  });
});

describe('relay doctor in Portuguese', () => {
  it('says each verdict and the summary in Portuguese; the check ids stay as they are', async () => {
    const mock = await refusingCloud(TOKEN2);
    onCleanup(() => mock.stop());
    const dir = onCleanup.tempDir('relay-doctor-pt-');
    const path = writeConfig(dir, { cloudUrl: mock.url, config: PT });
    const r = await runInProcess(['doctor', '--config', path], { cwd: dir });
    expect(r.code).toBe(1);
    const text = r.stdout();
    expect(text).toMatch(/✅ config: .*relay\.toml é válido: 3 token\(s\), 2 ativo\(s\)/);
    expect(text).toContain(
      '✅ token: token 019ab6ed… (Main POS): aceito pela nuvem (diagnostic_test com ?env=dev, event_id cloud-1',
    );
    expect(text).toContain('❌ token: token 7f3c2a91… (Bar): token inválido ou inativo (a nuvem respondeu 401)');
    expect(text).toContain('➖ token: token 019ab6ee… (Old): inativo na configuração, não testado');
    expect(text).toContain('1 verificação falhou, 2 aviso(s). Se a nuvem continuar recusando');
    expect(text).toContain(
      `✅ spool: ${dir}/spool ainda não existe; o relay cria essa pasta ao iniciar (${dir} aceita gravação)`,
    );
    expect(text).toMatch(/✅ disk: [\d.]+ [GM]B livres em .* \(cota do armazenamento 1\.0 GB\)/);
    expect(text).toContain(`⚠️  files: outras contas deste PC podem ler: ${path} (0644, group and others)`);
    const j = JSON.parse((await runInProcess(['doctor', '--json', '--config', path], { cwd: dir })).stdout());
    expect(j.checks.map((c: { check: string }) => c.check)).toContain('token');
  });
});
