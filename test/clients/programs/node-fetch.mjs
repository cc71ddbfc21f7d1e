// A POS integration in Node.js: the built-in fetch posting the payload file.
// Usage: node node-fetch.mjs <url> <payload file>; prints one JSON line.
import { readFileSync } from 'node:fs';

const [url, file] = process.argv.slice(2);
const body = readFileSync(file);
const res = await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body,
  signal: AbortSignal.timeout(10_000),
});
const answer = Buffer.from(await res.arrayBuffer());
console.log(
  JSON.stringify({
    status: res.status,
    answer_b64: answer.toString('base64'),
    warnings: res.headers.get('x-relay-warnings'),
    sent_b64: body.toString('base64'),
  }),
);
