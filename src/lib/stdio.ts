import { writeSync } from 'node:fs';

/**
 * Whole writes to standard output and error, for the CLI. Bun's
 * process.stdout.write is asynchronous on a pipe: a command that prints a
 * long listing and exits lost everything past the pipe's buffer (`relay
 * events list | less` stopped at 128 KB). Written synchronously here, waiting
 * out a pipe that is full (EAGAIN) until its reader takes more. A reader
 * that went away (EPIPE: `| head`) ends the writing quietly, as for any
 * Unix command: what is left has nowhere to go.
 */
export function fdWriter(fd: number): (s: string) => void {
  let closed = false;
  return (s: string) => {
    if (closed) return;
    let buf = Buffer.from(s);
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Bun.sleepSync(1);
          continue;
        }
        // EPIPE, or a descriptor closed under us: nobody reads any more.
        closed = true;
        return;
      }
    }
  };
}
