/** Tokens show their first 8 characters only (cloud guide, "Information to Include"). */
export function maskToken(token: string): string {
  return token.length <= 8 ? `${token.slice(0, Math.max(0, token.length - 1))}…` : `${token.slice(0, 8)}…`;
}
