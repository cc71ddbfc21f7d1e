/**
 * A bounded HTTP request for the soak: its own timer (AbortController and
 * setTimeout, cleared once the body is read) rather than AbortSignal.timeout,
 * whose timer Bun can lose; a soak that hangs on one request proves nothing.
 */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export class RequestTimeout extends Error {
  override name = 'TimeoutError';
}

export async function request(url: string, init: RequestInit, ms: number): Promise<Reply> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new RequestTimeout(`no answer from ${url} in ${ms} ms`)), ms);
  try {
    const r = await fetch(url, { ...init, signal: ctl.signal });
    return { status: r.status, headers: r.headers, text: await r.text() };
  } catch (e) {
    if (ctl.signal.aborted) throw new RequestTimeout(`no answer from ${url} in ${ms} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
