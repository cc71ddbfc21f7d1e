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
