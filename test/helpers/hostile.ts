/**
 * The hostile requests of test/binary/hostile.test.ts, one table: each with
 * the status it must get and what its {"detail"} must say, or, for bytes
 * that are not HTTP/1.1, that Bun's parser refuses it.
 */
import { TOKEN } from './config.ts';

export const enc = new TextEncoder();
export const bytes = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : new Uint8Array(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
};

/** A complete HTTP/1.1 request, framed honestly unless `head` says otherwise. */
export function request(path: string, body: Uint8Array | string, head?: string): Uint8Array {
  const b = typeof body === 'string' ? enc.encode(body) : body;
  const h = head ?? `Content-Type: application/json\r\nContent-Length: ${b.length}\r\n`;
  return bytes(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${h}Connection: close\r\n\r\n`, Array.from(b));
}
export const hook = (token = TOKEN, query = '') => `/webhooks/v1/pos/${token}${query}`;

const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

export interface Case {
  name: string;
  req: () => Uint8Array | string;
  status: number;
  detail?: RegExp;
  /**
   * Refused by Bun's HTTP parser before the relay sees the request (the bytes
   * are not HTTP/1.1): a bare 4xx and Connection: close, no JSON body.
   */
  framing?: boolean;
}

const INVALID_JSON = /^Invalid JSON/;
const UTF8 = /UTF-8/;
const DEPTH = /nested deeper than 512/;
const TOKEN_401 = /^Invalid or inactive webhook token$/;
const ENV_400 = /^Invalid env .*allowed values are "prod".*"dev"$/;

const body = (name: string, b: Uint8Array | string, detail: RegExp): Case => ({
  name,
  req: () => request(hook(), b),
  status: 400,
  detail,
});
const token = (name: string, t: string): Case => ({
  name,
  req: () => request(hook(t), '{}'),
  status: 401,
  detail: TOKEN_401,
});
const env = (name: string, q: string): Case => ({
  name,
  req: () => request(hook(TOKEN, q), '{}'),
  status: 400,
  detail: ENV_400,
});
const framing = (name: string, req: string, status = 400): Case => ({ name, req: () => req, status, framing: true });

export const CASES: Case[] = [
  // Not UTF-8 (basic guide, "Payload Guidelines": UTF-8).
  body('a lone continuation byte', bytes('{"a":"', [0x80], '"}'), UTF8),
  body('an overlong encoding of "/"', bytes('{"a":"', [0xc0, 0xaf], '"}'), UTF8),
  body('a UTF-16 surrogate encoded in UTF-8', bytes('{"a":"', [0xed, 0xa0, 0x80], '"}'), UTF8),
  body('a 0xFF byte', bytes('{"a":"', [0xff], '"}'), UTF8),
  body('a multibyte sequence cut at the end', bytes('{"a":"', [0xe2, 0x82]), UTF8),
  body('a code point above U+10FFFF', bytes('{"a":"', [0xf4, 0x90, 0x80, 0x80], '"}'), UTF8),
  body('Latin-1 text', bytes('{"server":"Jo', [0xe3], 'o"}'), UTF8),
  // Raw control characters (RFC 8259 section 7: must be escaped in strings).
  body('a raw NUL in a string', bytes('{"a":"', [0x00], '"}'), INVALID_JSON),
  body('a raw 0x01 in a string', bytes('{"a":"', [0x01], '"}'), INVALID_JSON),
  body('a raw 0x1F in a string', bytes('{"a":"', [0x1f], '"}'), INVALID_JSON),
  body('a raw newline in a string', '{"a":"line\nbreak"}', INVALID_JSON),
  body('a raw tab in a string', '{"a":"tab\there"}', INVALID_JSON),
  body('a NUL after the document', bytes('{}', [0x00]), INVALID_JSON),
  // Trailing garbage and two documents.
  body('trailing garbage', '{"a":1} x', INVALID_JSON),
  body('an extra closing brace', '{"a":1}}', INVALID_JSON),
  body('an extra closing bracket', '[1,2]]', INVALID_JSON),
  body('two objects back to back', '{}{}', INVALID_JSON),
  body('two objects, space between', '{"a":1} {"b":2}', INVALID_JSON),
  body('two arrays', '[1][2]', INVALID_JSON),
  body('two numbers', '1 2', INVALID_JSON),
  body('two strings', '"a""b"', INVALID_JSON),
  body('NDJSON (two lines)', '{"a":1}\n{"a":2}\n', INVALID_JSON),
  // Not JSON, but JavaScript or JSON5.
  body('a line comment', '// order\n{"a":1}', INVALID_JSON),
  body('a block comment', '{/* order */"a":1}', INVALID_JSON),
  body('a hash comment', '{"a":1} # order', INVALID_JSON),
  body('NaN', '{"total":NaN}', INVALID_JSON),
  body('Infinity', '{"total":Infinity}', INVALID_JSON),
  body('-Infinity', '{"total":-Infinity}', INVALID_JSON),
  body('a bare NaN', 'NaN', INVALID_JSON),
  body('single-quoted keys', "{'a':1}", INVALID_JSON),
  body('a single-quoted value', `{"a":'b'}`, INVALID_JSON),
  body('a trailing comma in an object', '{"a":1,}', INVALID_JSON),
  body('a trailing comma in an array', '[1,]', INVALID_JSON),
  body('unquoted keys', '{a:1}', INVALID_JSON),
  body('a hex number', '{"a":0x10}', INVALID_JSON),
  body('a leading zero', '{"a":01}', INVALID_JSON),
  body('a leading plus', '{"a":+1}', INVALID_JSON),
  body('a bare fraction', '{"a":.5}', INVALID_JSON),
  body('undefined', '{"a":undefined}', INVALID_JSON),
  body('an invalid escape', '{"a":"\\x41"}', INVALID_JSON),
  body('a short unicode escape', '{"a":"\\u12"}', INVALID_JSON),
  body('an unterminated string', '{"a":"open', INVALID_JSON),
  body('only whitespace', ' \r\n\t ', INVALID_JSON),
  body('an empty body', '', /empty/),
  // Nesting, refused by a byte scan before any recursive parser runs.
  body('arrays nested 513 deep', deep(513), DEPTH),
  body('objects nested 513 deep', `${'{"a":'.repeat(513)}1${'}'.repeat(513)}`, DEPTH),
  body('arrays nested 100,000 deep', deep(100_000), DEPTH),
  body('objects nested 100,000 deep', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, DEPTH),
  body('100,000 unclosed brackets', '['.repeat(100_000), DEPTH),
  body('10 MB of opening brackets (the largest body allowed)', '['.repeat(10 * 1024 * 1024), DEPTH),
  body('alternating [{ 600 deep', `${'[{"a":'.repeat(300)}1${'}]'.repeat(300)}`, DEPTH),
  // Tokens: all refused alike, none echoed.
  token('a 10,000-character token', 'a'.repeat(10_000)),
  token('a NUL byte (%00)', '%00'),
  token('the real token followed by %00', `${TOKEN}%00`),
  token('an encoded ../ walk', '..%2F..%2F..%2Fetc%2Fpasswd'),
  token('an encoded ../ walk to /health', '..%2F..%2Fhealth'),
  token('a quote and SQL', "'%20OR%20'1'='1"),
  token('SQL with a double quote', '%22%3B%20DROP%20TABLE%20events%3B--'),
  token('an HTML tag', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'),
  token('a malformed percent escape', '%E0%A4%A'),
  token('an invalid percent escape', '%ZZ'),
  token('the real token in upper case', TOKEN.toUpperCase()),
  token('the real token with a trailing space', `${TOKEN}%20`),
  token('the real token, one character short', TOKEN.slice(0, -1)),
  token('the real token plus one character', `${TOKEN}0`),
  token('the first 8 characters of the real token', TOKEN.slice(0, 8)),
  // env: only prod and dev; the detail quotes at most 40 characters of what came.
  env('SQL after prod', "?env=prod'--"),
  env('dev and a NUL', '?env=dev%00'),
  env('a statement after dev', '?env=dev;DROP%20TABLE%20events'),
  env('an HTML tag', '?env=%3Cscript%3Ealert(1)%3C%2Fscript%3E'),
  env('a byte that is not UTF-8', '?env=%FF'),
  env('an invalid percent escape', '?env=%ZZ'),
  env('env twice', '?env=dev&env=prod'),
  env('10,000 characters', `?env=${'d'.repeat(10_000)}`),
  env('upper case', '?env=DEV'),
  env('a leading space', '?env=%20dev'),
  // Content-Length that lies, and other framing.
  {
    name: 'a Content-Length shorter than the body (the prefix is judged)',
    req: () => request(hook(), '{"a":1,"b":2}', 'Content-Type: application/json\r\nContent-Length: 5\r\n'),
    status: 400,
    detail: INVALID_JSON,
  },
  {
    name: 'a Content-Length over 10 MB with a tiny body',
    req: () => request(hook(), '{}', `Content-Length: ${10 * 1024 * 1024 + 1}\r\n`),
    status: 413,
    detail: /too large/,
  },
  framing(
    'a Content-Length that is not a number',
    `POST ${hook()} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`,
  ),
  framing('a negative Content-Length', `POST ${hook()} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}`),
  framing(
    'two different Content-Lengths',
    `POST ${hook()} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
  ),
  framing(
    'Content-Length and chunked together',
    `POST ${hook()} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  ),
  framing(
    'a chunk size that is not hex',
    `POST ${hook()} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  ),
  framing('no Host header', `POST ${hook()} HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`),
  framing('a request line that is not HTTP', 'HELLO RELAY\r\n\r\n'),
  framing(
    'a 100,000-character token (too long a request line)',
    `POST ${hook('a'.repeat(100_000))} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`,
    431,
  ),
  framing(
    'a 200 KB header',
    `POST ${hook()} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(200_000)}\r\nContent-Length: 2\r\n\r\n{}`,
    431,
  ),
  // Methods and paths the contract does not have.
  {
    name: 'GET on the webhook',
    req: () => `GET ${hook()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    status: 404,
    detail: /Not Found/,
  },
  {
    name: 'a raw ../ walk in the path',
    req: () => request('/webhooks/v1/pos/../../../etc/passwd', '{}'),
    status: 404,
    detail: /Not Found/,
  },
];

/** What each case sent as a token or env, to check it is never echoed whole. */
export const secretOf = (c: Case) => {
  const req = c.req();
  const head = typeof req === 'string' ? req.slice(0, 200_000) : new TextDecoder().decode(req.subarray(0, 200_000));
  return /webhooks\/v1\/pos\/([^ ?]*)/.exec(head)?.[1] ?? '';
};
