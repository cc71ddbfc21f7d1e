/**
 * Tokens show their first 8 characters only (cloud guide, "Information to
 * Include"); a token of 8 or fewer shows only half, so it is never shown whole.
 * Array.from splits by code point, so a surrogate pair is never cut in half.
 */
export function maskToken(token: string): string {
  const chars = Array.from(token);
  const shown = chars.length > 8 ? 8 : Math.floor(chars.length / 2);
  return `${chars.slice(0, shown).join('')}…`;
}

/**
 * A URL as it may be shown: a password in it becomes `****`, and with `path`
 * (a webhook URL whose path is its secret, as Slack's and Teams' are) the
 * path shows its first 8 characters only and the query goes. "" stays "";
 * what does not parse is shown as `(unreadable URL)`.
 */
export function maskUrl(url: string, opts: { path?: boolean } = {}): string {
  if (url === '') return '';
  if (!URL.canParse(url)) return '(unreadable URL)';
  const u = new URL(url);
  if (u.password !== '') u.password = '****';
  if (!opts.path) return u.href;
  const path = u.pathname.length > 9 ? `${u.pathname.slice(0, 9)}…` : u.pathname;
  const auth = u.username === '' ? '' : `${u.username}${u.password ? `:${u.password}` : ''}@`;
  return `${u.protocol}//${auth}${u.host}${path}`;
}

/**
 * `text` with every token of `tokens` found in it, as written or URL-encoded
 * (a request URL quoted in an error), shown as its first 8 characters.
 */
export function scrubTokens(text: string, tokens: Iterable<string>): string {
  let out = text;
  for (const token of tokens) {
    if (token === '') continue;
    for (const form of new Set([token, encodeURIComponent(token)])) out = out.split(form).join(maskToken(token));
  }
  return out;
}

/** Header values as they may be shown (an API key among them): each like a token, names as written. */
export function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, maskToken(v)]));
}
