/**
 * How the writer commits a batch.
 *
 * A batch with an append is answered to a POS: its WAL is fsynced before any
 * 200 goes out (synchronous=FULL, https://sqlite.org/pragma.html#pragma_synchronous).
 *
 * A batch of the forwarder's own records only (delivered, an attempt, a dead
 * letter, a prune) answers nobody. It commits with synchronous=NORMAL: its
 * frames are in the WAL file, so a process crash keeps them (the operating
 * system holds them), and the next fsync of that file makes them durable with
 * everything before it. That fsync comes from the next batch with an append,
 * from the FSYNC_EVERY-th such batch in a row, or from the checkpoint thread
 * (it fsyncs the WAL before copying, at the latest about a second later).
 *
 * What a power cut can cost is therefore a few deliveries recorded in the
 * last moments: those events are sent again after the restart, in lane order,
 * under the same Idempotency-Key, as after a crash between the cloud's answer
 * and the record. No acknowledged event can be lost by it, and delivery runs
 * faster (README "Performance", "Why the spool is built so").
 */
export type CommitMode = 'full' | 'normal';

/** Commits without an append in a row: every FSYNC_EVERY-th of them fsyncs. */
export const FSYNC_EVERY = 8;

/** `unsynced`: batches committed with 'normal' since the last 'full' one. */
export function commitMode(appends: number, unsynced: number): CommitMode {
  return appends > 0 || unsynced >= FSYNC_EVERY - 1 ? 'full' : 'normal';
}
