/**
 * The fuzz test's oracle and generators (test/binary/fuzz.test.ts): what
 * the relay must answer is decided here, from RFC 8259's grammar written out
 * iteratively, never from the relay's own parser. The oracle is checked on
 * its own in test/unit/fuzz-oracle.test.ts.
 */
import { TOKEN, TOKEN2 } from './config.ts';

// ------------------------------------------------------------------ oracle

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * RFC 8259 JSON-text: ws value ws. Iterative (an explicit stack), so deep
 * input cannot overflow it; returns the nesting depth, or -1 if not JSON.
 */
export function rfc8259Depth(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const lit = (w: string) => (text.startsWith(w, i) ? ((i += w.length), true) : false);
  const str = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return (i++, true);
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return false;
      } else i++;
    }
    return false;
  };
  const num = (): boolean => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') return false;
    i += m[0].length;
    return true;
  };
  // Stack of open containers: '[' or '{'. After a value, expect ',' or a closer.
  const stack: string[] = [];
  let depth = 0;
  ws();
  for (;;) {
    // A value is expected here.
    ws();
    const c = text[i];
    if (c === '[' || c === '{') {
      stack.push(c);
      depth = Math.max(depth, stack.length);
      i++;
      ws();
      if (text[i] === (c === '[' ? ']' : '}')) {
        i++;
        stack.pop();
      } else {
        if (c === '{') {
          if (!str()) return -1;
          ws();
          if (text[i++] !== ':') return -1;
        }
        continue;
      }
    } else if (!(str() || num() || lit('true') || lit('false') || lit('null'))) return -1;
    // After a value: close containers or move to the next member.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? depth : -1;
      const ch = text[i++];
      if (ch === ',') {
        if (top === '{') {
          ws();
          if (!str()) return -1;
          ws();
          if (text[i++] !== ':') return -1;
        }
        break;
      }
      if (ch !== (top === '[' ? ']' : '}')) return -1;
      stack.pop();
    }
  }
}

/** What the contract says the relay must answer for these bytes. */
export function expectedForBody(b: Uint8Array): 200 | 400 {
  if (b.length === 0) return 400;
  let text: string;
  try {
    text = utf8.decode(b);
  } catch {
    return 400;
  }
  // A UTF-8 byte order mark is not JSON (RFC 8259 section 8.1: must not add one; may ignore).
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const depth = rfc8259Depth(text);
  return depth >= 0 && depth <= 512 ? 200 : 400;
}

// --------------------------------------------------------------- generators

type Rnd = () => number;
const int = (r: Rnd, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rnd, a: readonly T[]): T => a[int(r, a.length)]!;

const WS = ['', '', '', ' ', '\n', '\t', '\r\n', '  '];
const NUMBERS = ['0', '-0', '19.00', '45.10', '1e5', '-1.5E-7', '2E+3', '123456789012345678901234567890', '0.1', '-12'];
const CHARS = [
  'a',
  'Z',
  ' ',
  'é',
  'ç',
  'ã',
  '中',
  '😀',
  '\\n',
  '\\"',
  '\\\\',
  '\\/',
  '\\u0000',
  '\\u00e9',
  '\\ud83d\\ude00',
  '\\ud800',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '\u007f',
  '\u2028',
];

function jsonString(r: Rnd): string {
  let s = '"';
  for (let n = int(r, 12); n > 0; n--) s += pick(r, CHARS);
  return `${s}"`;
}

/** Valid JSON text with random whitespace, number spellings and unicode: the relay must store it as sent. */
function jsonText(r: Rnd, depth = 0): string {
  const w = () => pick(r, WS);
  const k = depth > 5 ? int(r, 4) : int(r, 7);
  switch (k) {
    case 0:
      return pick(r, ['null', 'true', 'false']);
    case 1:
      return r() < 0.5 ? pick(r, NUMBERS) : String(int(r, 1e9) - 5e8);
    case 2:
    case 3:
      return jsonString(r);
    case 4:
    case 5: {
      const members = Array.from(
        { length: int(r, 5) },
        () => `${w()}${jsonString(r)}${w()}:${w()}${jsonText(r, depth + 1)}${w()}`,
      );
      return `{${members.join(',') || w()}}`;
    }
    default: {
      const items = Array.from({ length: int(r, 5) }, () => `${w()}${jsonText(r, depth + 1)}${w()}`);
      return `[${items.join(',') || w()}]`;
    }
  }
}

const JSONISH = new TextEncoder().encode('{}[]":,0123456789.-+eE truefalsn\\u\n\t');

function randomBytes(r: Rnd): Uint8Array {
  const b = new Uint8Array(int(r, 300));
  const jsonish = r() < 0.5;
  for (let i = 0; i < b.length; i++) b[i] = jsonish ? JSONISH[int(r, JSONISH.length)]! : int(r, 256);
  return b;
}

/** Valid JSON damaged in one to three places: flipped, dropped, inserted or duplicated bytes, or cut short. */
function mutated(r: Rnd): Uint8Array {
  let b = Array.from(new TextEncoder().encode(`${pick(r, WS)}${jsonText(r)}${pick(r, WS)}`));
  for (let n = 1 + int(r, 3); n > 0 && b.length > 0; n--) {
    const at = int(r, b.length);
    switch (int(r, 5)) {
      case 0:
        b[at] = int(r, 256);
        break;
      case 1:
        b.splice(at, 1);
        break;
      case 2:
        b.splice(at, 0, r() < 0.5 ? JSONISH[int(r, JSONISH.length)]! : int(r, 256));
        break;
      case 3:
        b.splice(at, 0, ...b.slice(at, at + 1 + int(r, 8)));
        break;
      default:
        b = b.slice(0, at);
    }
  }
  return new Uint8Array(b);
}

export interface FuzzCase {
  kind: 'bytes' | 'json' | 'mutated';
  token: string;
  query: string;
  body: Uint8Array;
  expect: number;
}

export function makeCase(r: Rnd): FuzzCase {
  const roll = r();
  const kind = roll < 0.3 ? 'bytes' : roll < 0.65 ? 'json' : 'mutated';
  const body = kind === 'bytes' ? randomBytes(r) : kind === 'json' ? new TextEncoder().encode(jsonText(r)) : mutated(r);
  // One case in ten tries a wrong token or env; env is judged first, then the token, then the body.
  let token = r() < 0.5 ? TOKEN : TOKEN2;
  let query = pick(r, ['', '', '?env=dev', '?env=prod']);
  let expect: number = expectedForBody(body);
  if (r() < 0.1) {
    if (r() < 0.5) {
      token = pick(r, [
        'x',
        TOKEN.slice(0, 8),
        `${TOKEN}x`,
        // Random but path-safe (hex): %2F or a cut surrogate would test the router, not the token check.
        Buffer.from(randomBytes(r)).toString('hex').slice(0, 40) || 'y',
      ]);
      expect = 401;
    } else {
      query = `?env=${encodeURIComponent(pick(r, ['', 'Prod', 'staging', 'dev ', "dev'", '\u0000']))}`;
      expect = 400;
    }
  }
  return { kind, token, query, body, expect };
}
