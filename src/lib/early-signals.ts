/**
 * SIGHUP asks a running relay to reload its config, but its default action
 * ends the process. A reload asked for while the relay is still starting (a
 * supervisor or a config tool right after a restart) must not kill it, so
 * this module is imported first by main.ts, before the rest of the program
 * loads, and keeps the request until `onReload` is given a handler.
 *
 * Only for `relay serve` (also the default command): any other command keeps
 * SIGHUP's default, so closing its terminal still ends it. Not on Windows,
 * where the console's close arrives as SIGHUP and serve stops on it.
 */
let asked = false;
let handler: (() => void) | null = null;

const first = process.argv[2];
const serving = first === undefined || first === 'serve' || first.startsWith('-');
if (serving && process.platform !== 'win32') {
  process.on('SIGHUP', () => {
    if (handler) handler();
    else asked = true;
  });
}

/** Runs `fn` on every SIGHUP from now on, and once at once if one came before. */
export function onReload(fn: () => void): void {
  handler = fn;
  if (asked) {
    asked = false;
    fn();
  }
}
