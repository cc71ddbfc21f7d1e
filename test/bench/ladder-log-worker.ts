/**
 * The ladder's log rung (ladder.ts): the other half of "an append-only log
 * in front of the spool". The main thread has appended and fdatasynced each
 * batch's records to the log before acknowledging; this thread tails the
 * log and inserts the events into the spool's tables, off the ack's path,
 * without an fsync of its own (the log is the durable copy until then).
 * Records: u32 body length, u32 seq, the body (little-endian).
 */
import { openSync, readSync } from 'node:fs';
import { type Appendable, openStore } from './ladder-store.ts';

declare const self: Worker;

self.onmessage = (ev: MessageEvent<{ log: string; db: string }>) => {
  const store = openStore(ev.data.db, 'OFF');
  const fd = openSync(ev.data.log, 'r');
  let buf = Buffer.alloc(1 << 20);
  let have = 0;
  let offset = 0;
  const tail = () => {
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, buf.length - have, offset);
      if (n === 0) break;
      have += n;
      offset += n;
    }
    const events: Appendable[] = [];
    let at = 0;
    while (have - at >= 8) {
      const len = buf.readUInt32LE(at);
      if (have - at < 8 + len) break;
      events.push({ seq: buf.readUInt32LE(at + 4), token: 'tok-ladder', body: buf.subarray(at + 8, at + 8 + len) });
      at += 8 + len;
    }
    if (events.length > 0) store.write(events);
    buf.copy(buf, 0, at, have);
    have -= at;
    setTimeout(tail, events.length > 0 ? 0 : 1);
  };
  postMessage('ready');
  tail();
};
