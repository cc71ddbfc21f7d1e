import { readFileSync } from 'node:fs';
import { createLogger, type Logger } from '../../src/lib/log.ts';

export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** A real pino logger (the relay's own format) whose JSON lines land in `lines`, parsed. */
export function captureLog(level = 'info'): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const dest = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
  return { log: createLogger(level, dest), lines };
}

/** The JSON lines of a log file (log.file), parsed. */
export const logFileLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; i?: number });
