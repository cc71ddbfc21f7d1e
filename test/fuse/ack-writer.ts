/**
 * The power-cut test's control: a tiny HTTP writer that appends each POSTed
 * body as a line to FILE and answers "ok".
 *
 *   bun test/fuse/ack-writer.ts FILE PORT ack-first|fsync-first
 *
 * ack-first answers at once and fsyncs every 200 ms (a lazy group commit, the
 * classic bug): a power cut must cost it acknowledged lines, or the harness
 * cannot see a missing fsync. fsync-first fsyncs before each answer: a cut
 * must cost it nothing.
 */
import { fsyncSync, openSync, writeSync } from 'node:fs';

const [file, portArg, mode] = Bun.argv.slice(2);
if (!file || !portArg || (mode !== 'ack-first' && mode !== 'fsync-first')) {
  console.error('usage: bun test/fuse/ack-writer.ts FILE PORT ack-first|fsync-first');
  process.exit(2);
}
const fd = openSync(file, 'a');
if (mode === 'ack-first') setInterval(() => fsyncSync(fd), 200);

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(portArg),
  async fetch(req) {
    writeSync(fd, `${await req.text()}\n`);
    if (mode === 'fsync-first') fsyncSync(fd);
    return new Response('ok');
  },
});
console.log(`listening ${server.port}`);
