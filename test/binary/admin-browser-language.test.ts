/**
 * The status page in the restaurant's language ([site] language), in Debian's
 * Chromium: the page's words, the sentences of its JSON, /health's reasons as
 * the page says them (while /health itself stays English, the machine view),
 * the script's messages, and a reload that changes the language.
 */
import { afterAll, beforeAll, expect, it } from 'bun:test';
import type { Browser, Page } from 'playwright-core';
import { type AdminRelay, startAdminRelay } from '../helpers/admin.ts';
import { adminLogin, loadStatusPage, noChromium, openPage, STATUS_PAGE_LIVE } from '../helpers/browser.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { ack, ORDER_CREATED, post, TOKEN, TOKEN2 } from '../helpers/relay.ts';
import { describeUnless } from '../helpers/skip.ts';
import { fileStatus } from '../helpers/spool-file.ts';
import { waitFor } from '../helpers/wait.ts';

const PASSWORD = 'status-page-secret';

describeUnless(noChromium)('the status page in Brazilian Portuguese', () => {
  let mock: MockCloud;
  let a: AdminRelay;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let deadId = '';
  const site = (language: string) => ({ site: { name: 'Cantina da Mooca', timezone: 'America/Sao_Paulo', language } });

  const statusOf = (id: string) => fileStatus(a.config.spool.path, id);

  beforeAll(async () => {
    mock = await startMockCloud();
    mock.handler = (r) =>
      r.token === TOKEN2 ? Response.json({ detail: 'Service Unavailable' }, { status: 503 }) : undefined;
    mock.next({ kind: 'status', status: 422, body: { detail: 'table_number required' } });
    a = await startAdminRelay({ password: PASSWORD, cloudUrl: mock.url, config: site('pt-BR') });
    deadId = await ack(a.url, TOKEN, ORDER_CREATED);
    await waitFor(() => statusOf(deadId) === 'dead', 'the 422 dead letter');
    const ok = await ack(a.url, TOKEN, ORDER_CREATED);
    await ack(
      a.url,
      TOKEN2,
      '{"event":"table_status_change","table_number":"Mesa 8","timestamp":"2025-11-24T17:00:00-03:00"}',
    );
    await waitFor(() => statusOf(ok) === 'delivered', 'one delivered');
    await waitFor(() => mock.received.some((r) => r.token === TOKEN2), 'the Bar lane tried');
    // A POS with a token nobody configured: refused (401), and said on the page.
    expect((await post(a.url, 'ffffffff-0000-4000-8000-000000000000', ORDER_CREATED)).status).toBe(401);

    ({ browser, page, problems } = await openPage(adminLogin(PASSWORD)));
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await mock?.stop();
  });

  it('says the page in Portuguese: its title, banner, cards, tables and why a lane waits', async () => {
    await loadStatusPage(page, `${a.url}/admin`);
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
    expect(await page.title()).toBe('Status do relay · Cantina da Mooca');
    expect(await page.textContent('.banner h2')).toContain('Funcionando, precisa de atenção');
    expect(await page.textContent('[data-field="cloud"]')).toBe('acessível');
    expect(await page.textContent('#lanes h2')).toBe('Aguardando por token e ambiente');
    const bar = page.locator(`tr[data-lane="${TOKEN2.slice(0, 8)}… prod"]`);
    expect(await bar.textContent()).toMatch(/tentando de novo: \d+ tentativas?, a última há .* recebeu HTTP 503/);
    expect(await page.textContent('.banner')).toContain('1 evento foi recusado pela nuvem (rejeitados)');
    expect(await page.textContent('#dead-letters h2')).toBe('Rejeitados');
    expect(await page.textContent('#recent')).toContain('Eventos recentes');
    expect(await page.textContent('#refusals h2')).toBe('Webhooks recusados desde o início');
    expect(await page.textContent('tr[data-warning="missing_table_number"]')).toContain(
      'Sem table_number: a falha silenciosa mais comum',
    );
    expect(await page.textContent('#refusals li[data-refusal="unknown_token"]')).toMatch(
      /^Um PDV em 127\.0\.0\.1 está enviando um token ffffffff… desconhecido ou inativo: uma vez desde \d\d:\d\d$/,
    );
    // The site's time in Portuguese: "seg., 7 de dez. de 2026, 15:08 (UTC-03:00)".
    expect(await page.textContent('[data-field="site-time"]')).toMatch(/\d{1,2} de [a-zç]+\.? de \d{4}.*\(UTC-03:00\)/);
    // What the cloud said stays as it said it.
    expect(await page.textContent('#dead-letters')).toContain('table_number required');
    // The JSON's sentences are in the same language.
    const json = (await (await a.admin('/admin/api/status')).json()) as { language: string; attention: string[] };
    expect(json.language).toBe('pt-BR');
    expect(json.attention.join('\n')).toContain('recusado pela nuvem');
  });

  it("says the script's messages in Portuguese: the confirmation and the replay", async () => {
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.click('button[data-action="replay-all"]');
    await waitFor(() => asked.length === 1, 'the confirmation');
    expect(asked).toEqual(['Enviar de novo todos os rejeitados para a nuvem?']);
    await page.click(`button[data-action="replay"][data-id="${deadId}"]`);
    await page.waitForSelector('.flash.good');
    expect(await page.textContent('#flash')).toBe(`O evento ${deadId} voltou para a fila e será enviado agora.`);
    await page.waitForSelector('#updated:has-text("atualizado às")', { timeout: 10_000 });
  });

  it("shows /health's reason in Portuguese while /health says it in English", async () => {
    mock.handler = (r) =>
      r.token === TOKEN2 ? Response.json({ detail: 'Invalid or inactive webhook token' }, { status: 401 }) : undefined;
    const reason = page.locator('li[data-reason="token_paused"]');
    await reason.waitFor({ timeout: 15_000 });
    expect(await reason.textContent()).toMatch(
      /^A nuvem recusa o token 7f3c2a91… \(Bar\) como inválido ou inativo \(401\)\. .*peça à EmiliaVision para reativá-lo\.$/,
    );
    expect(await page.textContent('.banner h2')).toContain('Com problemas');
    const health = (await (await fetch(`${a.url}/health`)).json()) as { reasons: { id: string; detail: string }[] };
    expect(health.reasons.map((r) => r.id)).toEqual(['token_paused']);
    expect(health.reasons[0]!.detail).toMatch(
      /^The cloud refuses token 7f3c2a91… \(Bar\) as invalid or inactive \(401\)\./,
    );
  });

  it('changes language on a config reload, the live part at once', async () => {
    a.writeConfig({ password: PASSWORD, cloudUrl: mock.url, config: site('es') });
    await page.click('button[data-action="reload"]');
    await page.waitForSelector('.flash.good');
    await page.waitForSelector('#recent h2:text-is("Eventos recientes")', { timeout: 10_000 });
    expect(await page.textContent('.banner h2')).toContain('Con problemas');
    expect(await page.textContent('li[data-reason="token_paused"]')).toContain('La nube rechaza el token 7f3c2a91…');
    await page.reload();
    await page.waitForSelector(STATUS_PAGE_LIVE);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.title()).toBe('Estado del relay · Cantina da Mooca');
  });

  it('ran without a script error or a CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
