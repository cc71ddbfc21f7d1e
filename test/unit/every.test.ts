/**
 * The relay's background chores (retention prune, external-changes watch)
 * run on `every` (src/relay.ts): a failing run is logged and the next still
 * comes; stop ends them.
 */
import { describe, expect, it } from 'bun:test';
import { every } from '../../src/relay.ts';
import { captureLog as capture } from '../helpers/log.ts';
import { waitFor } from '../helpers/wait.ts';

describe('every', () => {
  it('runs repeatedly, logs a throw and a rejection as warnings, and keeps going', async () => {
    const { log, lines } = capture();
    let runs = 0;
    const stop = every(
      5,
      () => {
        runs++;
        if (runs === 1) throw new Error('sync boom');
        if (runs === 2) return Promise.reject(new Error('async boom'));
      },
      log,
      'chore failed',
    );
    try {
      await waitFor(() => runs >= 4, 'four runs');
    } finally {
      stop();
    }
    const warned = lines.filter((l) => l.msg === 'chore failed');
    expect(warned.map((l) => l.err)).toEqual(['sync boom', 'async boom']);
    expect(warned.every((l) => l.level === 'warn')).toBe(true);
  });

  it('does not run at once, and not after stop', async () => {
    const { log } = capture();
    let runs = 0;
    const stop = every(
      5,
      () => {
        runs++;
      },
      log,
      'x',
    );
    expect(runs).toBe(0);
    await waitFor(() => runs >= 1, 'a run');
    stop();
    const at = runs;
    await Bun.sleep(30);
    expect(runs).toBe(at);
  });
});
