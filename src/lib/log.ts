import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. No transports: they spawn worker threads that a
 * compiled binary cannot resolve, and the relay's operator reads stdout/journald.
 * Full tokens never reach a log: callers log `maskToken(token)` only.
 */
export function createLogger(level: string, dest?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'relay' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: with an asynchronous destination, a dead stdout reader
    // (EPIPE) made pino's exit flush retry forever and SIGTERM hang. The relay
    // logs per failure and per state change, never per accepted request.
    dest ?? pino.destination({ fd: 1, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
