/** src/lib/mask.ts scrubTokens: the one scrubber for text that may quote a token (the CLI, /health, alerts). */
import { describe, expect, it } from 'bun:test';
import { maskToken, scrubTokens } from '../../src/lib/mask.ts';

// A token with characters a URL encodes: how a request URL quotes it in an error.
const TOKEN = '019ab6ed-150a-7be1-920f-ab82305e5d41+/=';
const ENCODED = encodeURIComponent(TOKEN);

describe('scrubTokens', () => {
  const cases: [string, string, string][] = [
    ['a token as written', `bad token ${TOKEN} here`, `bad token ${maskToken(TOKEN)} here`],
    [
      'a token URL-encoded in a request URL',
      `POST https://cloud/webhooks/v1/pos/${ENCODED} failed`,
      `POST https://cloud/webhooks/v1/pos/${maskToken(TOKEN)} failed`,
    ],
    ['both, twice each', `${TOKEN} ${ENCODED} ${TOKEN}`, `${maskToken(TOKEN)} ${maskToken(TOKEN)} ${maskToken(TOKEN)}`],
    ['no token', 'the cloud said 503', 'the cloud said 503'],
  ];
  for (const [what, text, shown] of cases) {
    it(`shows ${what} as its first 8 characters only`, () => {
      expect(ENCODED).not.toBe(TOKEN);
      const out = scrubTokens(text, ['', TOKEN]);
      expect(out).toBe(shown);
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(ENCODED);
    });
  }
});
