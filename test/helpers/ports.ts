/**
 * A port that was free a moment ago: the OS picks it, we close it again.
 *
 * Racy by nature (another process may take it between the close and our
 * listen), so it is only for a port that must be known before the process
 * that listens on it starts: a mock cloud URL written into a relay's config
 * before that cloud is up, or a relay whose own stdout the test cannot read.
 * Everything that can report its port starts on port 0 instead: in-process
 * relays (`relay.port`), mock clouds (`mock.port`), and the binary, whose
 * "relay started" log line names its `listen` address (helpers/binary.ts).
 */
export function freePort(): number {
  const l = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` now (a started server is ready). */
export async function accepts(port: number): Promise<boolean> {
  try {
    const s = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } });
    s.end();
    return true;
  } catch {
    return false;
  }
}
