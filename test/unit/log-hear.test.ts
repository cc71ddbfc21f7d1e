/**
 * hearLog: telemetry hears the relay's log lines after they are written, and
 * a listener that throws neither loses a line nor reaches the caller.
 */
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileLogger, createLogger, hearLog } from '../../src/lib/log.ts';
import { useCleanup } from '../helpers/cleanup.ts';

const onCleanup = useCleanup();

describe('hearLog', () => {
  it('tells each line after it is in the file, until undone', () => {
    const path = join(onCleanup.tempDir('relay-hear-'), 'relay.log');
    const log = createFileLogger('info', path);
    onCleanup(() => log.stop());
    const heard: string[] = [];
    const undo = hearLog(log.logger, (line) => {
      // Written before it is heard.
      expect(readFileSync(path, 'utf8')).toContain(line);
      heard.push(line);
    });
    log.logger.warn({ n: 1 }, 'first');
    undo();
    log.logger.warn({ n: 2 }, 'second');
    expect(heard.length).toBe(1);
    expect(JSON.parse(heard[0]!)).toMatchObject({ level: 'warn', n: 1, msg: 'first' });
  });

  it('a listener that throws loses no line and throws nothing at the caller', () => {
    const path = join(onCleanup.tempDir('relay-hear-'), 'relay.log');
    const log = createFileLogger('info', path);
    onCleanup(() => log.stop());
    hearLog(log.logger, () => {
      throw new Error('listener broken');
    });
    expect(() => log.logger.error('still written')).not.toThrow();
    expect(readFileSync(path, 'utf8')).toContain('still written');
    expect(log.health().ok).toBe(true);
  });

  it('hears nothing from a logger writing elsewhere', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    let heard = 0;
    hearLog(logger, () => heard++)();
    logger.warn('x');
    expect(lines.length).toBe(1);
    expect(heard).toBe(0);
  });
});
