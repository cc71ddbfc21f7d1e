/**
 * Real POS HTTP clients against the compiled binary: curl as the guide
 * shows it, and Python's urllib binding the answer to exactly the guide's
 * four fields (a dataclass refuses a fifth keyword as Jackson's default
 * ObjectMapper refuses an unknown property). A production POS reads the
 * cloud's answer key for key with the warnings in X-Relay-Warnings; a body
 * written with a UTF-8 byte order mark (.NET's StreamWriter with
 * Encoding.UTF8, Python's utf-8-sig) reaches the cloud as the JSON after it;
 * a gzip body is refused with 415, plain JSON labelled gzip with 400.
 */
import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSite, serveSite } from '../helpers/binary.ts';
import { useCleanup } from '../helpers/cleanup.ts';
import { type MockCloud, startMockCloud } from '../helpers/mock-cloud.ts';
import { CLEAN, ORDER_CREATED } from '../helpers/payloads.ts';
import { TOKEN } from '../helpers/relay.ts';
import { relayToml } from '../helpers/reliability.ts';
import { waitFor } from '../helpers/wait.ts';

const onCleanup = useCleanup();
const KEYS = ['status', 'event_id', 'message', 'received_at'];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A mock cloud and the binary forwarding to it, and a folder for the clients' files. */
async function site(): Promise<{ url: string; cloud: MockCloud; files: string }> {
  const cloud = await startMockCloud();
  onCleanup(() => cloud.stop());
  const s = await installSite(onCleanup, relayToml({ cloudUrl: cloud.url }), 'relay-clients-');
  const relay = await serveSite(onCleanup, s.bin, s.dir);
  return { url: `${relay.url}/webhooks/v1/pos/${TOKEN}`, cloud, files: onCleanup.tempDir('relay-clients-files-') };
}

/** Runs `cmd` through sh (a pipe, as a technician types it); stdout as text. */
function sh(cmd: string, cwd: string): { code: number; out: string; err: string } {
  const p = Bun.spawnSync(['sh', '-c', cmd], { cwd, stdout: 'pipe', stderr: 'pipe', timeout: 20_000 });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

/** `curl -i` output: status, headers (lower-cased names, repeated ones joined) and body. */
function parseCurl(out: string): { status: number; headers: Map<string, string>; body: string } {
  const end = out.indexOf('\r\n\r\n');
  const [first, ...lines] = out.slice(0, end).split('\r\n');
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(':');
    headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  return { status: Number(first!.split(' ')[1]), headers, body: out.slice(end + 4) };
}

const curl = (url: string, args: string) => `curl -sS -i -X POST -H 'Content-Type: application/json' ${args} '${url}'`;

async function deliveredBody(cloud: MockCloud, eventId: string): Promise<Buffer> {
  await waitFor(() => cloud.stored.some((r) => r.headers['idempotency-key'] === eventId), 'delivery', 15_000);
  return Buffer.from(cloud.stored.find((r) => r.headers['idempotency-key'] === eventId)!.body);
}

/** A POS integration in Python: urllib, the answer bound to the guide's four fields, nothing more. */
const STRICT_CLIENT = `
import json, sys, urllib.request
from dataclasses import dataclass

@dataclass(frozen=True)
class WebhookResponse:
    status: str
    event_id: str
    message: str
    received_at: str

url, payload_file, encoding = sys.argv[1], sys.argv[2], sys.argv[3]
with open(payload_file, encoding="utf-8") as f:
    payload = json.load(f)
text = json.dumps(payload, ensure_ascii=False)
request = urllib.request.Request(url, data=text.encode(encoding), headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(request, timeout=10) as response:
    # A fifth key raises TypeError here, as Jackson's default ObjectMapper raises UnrecognizedPropertyException.
    answer = WebhookResponse(**json.loads(response.read()))
    warnings = json.loads(response.headers.get("X-Relay-Warnings") or "[]")
print(json.dumps({"status": response.status, "event_id": answer.event_id, "warnings": warnings, "sent": text}, ensure_ascii=False))
`;

function python(files: string, url: string, payload: string, encoding: 'utf-8' | 'utf-8-sig') {
  writeFileSync(join(files, 'client.py'), STRICT_CLIENT);
  writeFileSync(join(files, 'payload.json'), payload);
  const py = Bun.which('python3');
  if (!py) throw new Error('python3 is not on PATH');
  const p = Bun.spawnSync([py, 'client.py', url, 'payload.json', encoding], {
    cwd: files,
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 20_000,
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe('POS clients against the compiled binary', () => {
  it("curl with the guide's sample payload: the cloud's four keys in the body, the warnings in X-Relay-Warnings", async () => {
    const s = await site();
    writeFileSync(join(s.files, 'payload.json'), ORDER_CREATED);
    const r = sh(curl(s.url, '--data-binary @payload.json'), s.files);
    expect(r.err).toBe('');
    const a = parseCurl(r.out);
    expect(a.status).toBe(200);
    expect(Object.keys(JSON.parse(a.body))).toEqual(KEYS);
    const header = a.headers.get('x-relay-warnings')!;
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(header)).toEqual([
      expect.stringMatching(/^table_number is missing: guide v2\.0 expects table_number, and table was sent/),
      expect.stringMatching(/^2 of 2 items have no timestamp/),
      expect.stringMatching(/^2 of 2 items have no employee_id/),
    ]);
    // Where the guide tells integrators to test, the body says it too.
    const dev = parseCurl(sh(curl(`${s.url}?env=dev`, '--data-binary @payload.json'), s.files).out);
    expect(JSON.parse(dev.body).warnings).toEqual(JSON.parse(header));
  });

  it("Python's urllib binding the answer to the guide's four fields reads a warned answer, and its warnings from the header", async () => {
    const s = await site();
    const r = python(s.files, s.url, ORDER_CREATED, 'utf-8');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out) as { status: number; event_id: string; warnings: string[]; sent: string };
    expect(got.status).toBe(200);
    expect(got.warnings).toHaveLength(3);
    expect((await deliveredBody(s.cloud, got.event_id)).toString()).toBe(got.sent);
  });

  it('a body with a UTF-8 byte order mark, from curl and from Python (utf-8-sig): the cloud receives the JSON after it', async () => {
    const s = await site();
    const json = JSON.stringify(CLEAN);
    writeFileSync(join(s.files, 'bom.json'), Buffer.concat([BOM, Buffer.from(json)]));
    const a = parseCurl(sh(curl(s.url, '--data-binary @bom.json'), s.files).out);
    expect(a.status).toBe(200);
    const fromCurl = await deliveredBody(s.cloud, JSON.parse(a.body).event_id);
    expect(fromCurl.toString('hex')).toBe(Buffer.from(json).toString('hex'));
    expect(JSON.parse(a.headers.get('x-relay-warnings')!)).toEqual([
      expect.stringMatching(/^the body began with a UTF-8 byte order mark/),
    ]);

    const r = python(s.files, s.url, json, 'utf-8-sig');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out) as { event_id: string; warnings: string[]; sent: string };
    expect(got.warnings).toEqual([expect.stringMatching(/UTF-8 byte order mark/)]);
    const fromPython = await deliveredBody(s.cloud, got.event_id);
    expect(fromPython.subarray(0, 3).equals(BOM)).toBe(false);
    expect(fromPython.toString()).toBe(got.sent);
  });

  it('a gzip body from curl gets 415 saying to send it uncompressed; plain JSON labelled gzip gets 400; neither reaches the cloud', async () => {
    const s = await site();
    writeFileSync(join(s.files, 'payload.json'), JSON.stringify(CLEAN));
    const gz = parseCurl(
      sh(`gzip -c payload.json | ${curl(s.url, "-H 'Content-Encoding: gzip' --data-binary @-")}`, s.files).out,
    );
    expect(gz.status).toBe(415);
    expect(JSON.parse(gz.body)).toEqual({
      detail:
        'Compressed request bodies are not accepted (Content-Encoding "gzip"): send the JSON uncompressed, with no Content-Encoding header',
    });
    const mislabelled = parseCurl(
      sh(curl(s.url, "-H 'Content-Encoding: gzip' --data-binary @payload.json"), s.files).out,
    );
    expect(mislabelled.status).toBe(400);
    expect(JSON.parse(mislabelled.body).detail).toStartWith(
      'Request body is labelled Content-Encoding "gzip" but is not gzip data',
    );
    const br = parseCurl(sh(curl(s.url, "-H 'Content-Encoding: br' --data-binary @payload.json"), s.files).out);
    expect(br.status).toBe(415);
    // The plain one, unlabelled, goes through: the relay is up and forwarding.
    const plain = parseCurl(sh(curl(s.url, '--data-binary @payload.json'), s.files).out);
    expect(plain.status).toBe(200);
    await deliveredBody(s.cloud, JSON.parse(plain.body).event_id);
    expect(s.cloud.received).toHaveLength(1);
  });
});
