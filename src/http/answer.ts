/** What the relay answers, as data: services return it, `reply` sends it. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const JSON_ONLY = { 'content-type': 'application/json' };

/** An answer as the cloud would send it: JSON, status, and any headers. */
export function reply(a: Answer): Response {
  return new Response(JSON.stringify(a.body), {
    status: a.status,
    headers: a.headers ? { ...JSON_ONLY, ...a.headers } : JSON_ONLY,
  });
}
