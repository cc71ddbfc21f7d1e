/**
 * Alerts in the restaurant's language ([site] language): the e-mail a
 * manager in São Paulo gets through a real SMTP server (python3-aiosmtpd),
 * its subject, sentence, what to do and labels in Portuguese, the time in
 * the site's zone; the webhook's keys and condition ids stay as they are.
 * A reload that changes the language changes the next message.
 */
import { describe, expect } from 'bun:test';
import { smtpServer } from '../helpers/alert-receivers.ts';
import { post, TOKEN } from '../helpers/relay.ts';
import { itUnless } from '../helpers/skip.ts';
import { waitFor } from '../helpers/wait.ts';
import { alertRelays, clean, HOLD, MIN } from './alerts-setup.ts';

const relays = alertRelays();

describe('an alert e-mail in Brazilian Portuguese', () => {
  const mail = smtpServer();

  itUnless(mail.skip)(
    'cloud unreachable and then back: subject, sentence, what to do and labels in Portuguese, at São Paulo time',
    async () => {
      const smtp = mail.server();
      const r = await relays.start({
        site: { name: 'Cantina da Mooca', timezone: 'America/Sao_Paulo', language: 'pt-BR' },
        // The test's payloads carry UTC timestamps: their timezone warnings are not this test's.
        alerts: { webhook_url: '', smtp_url: smtp.url, email_to: ['gerente@example.com'], first_events: 0 },
      });
      expect((await post(r.relay.url, TOKEN, clean())).status).toBe(200);
      await waitFor(() => r.relay.forwarder.cloud.reachable === false, 'a failed delivery');
      r.clock.advance(5 * MIN);
      await r.tick();
      await waitFor(() => smtp.messages().length === 1, 'the firing e-mail');
      const [fired] = smtp.messages();
      expect(fired!.headers.subject).toBe('[relay] Cantina da Mooca: nuvem inacessível');
      // Noon UTC is 09:00 in São Paulo.
      expect(fired!.body).toMatch(
        /^🔴 Cantina da Mooca: o relay não alcança a nuvem da EmiliaVision desde 09:00 \(5 min; último erro: .+\)\. 1 evento aguarda com segurança neste PC\. O que fazer: Verifique a conexão de internet deste PC/,
      );
      expect(fired!.body).toContain('Condição: cloud_unreachable (firing)');
      expect(fired!.body).toContain('Detalhes:');
      expect(fired!.body).not.toContain('What to do');

      r.useCloud(relays.cloud.url);
      // The lane retries once the moved clock passes its backoff.
      await waitFor(() => {
        r.clock.advance(1000);
        return r.relay.forwarder.cloud.reachable === true;
      }, 'the cloud answering');
      await r.tick();
      r.clock.advance(HOLD);
      await r.tick();
      await waitFor(() => smtp.messages().length === 2, 'the resolved e-mail');
      const resolved = smtp.messages()[1]!;
      expect(resolved.headers.subject).toBe('[relay] Cantina da Mooca: nuvem inacessível (resolvido)');
      expect(resolved.body).toMatch(
        /^✅ Cantina da Mooca, resolvido: a nuvem da EmiliaVision voltou a responder \(fora do ar desde 09:00, por [\d hmin]+\); os eventos em espera saem na ordem\./,
      );
    },
    60_000,
  );
});
