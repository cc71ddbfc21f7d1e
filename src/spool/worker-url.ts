/**
 * Where a spool thread's script is. From source it sits beside this file; in
 * the compiled binary (scripts/build.ts embeds each as an entrypoint) it is
 * `spool/<name>.js` beside the binary's own module in Bun's embedded file system
 * (`/$bunfs/root/` on Linux, `B:/~BUN/root/` on Windows).
 */
export function workerUrl(name: 'background-worker'): string {
  return workerUrlFrom(import.meta.url, name);
}

/**
 * `here` is this module's URL. On Windows Bun percent-encodes the tilde in it
 * (`file:///B:/%7EBUN/root/...`), so the test is made on the decoded path: a
 * plain `includes('~BUN')` missed it and the background thread never started there.
 */
export function workerUrlFrom(here: string, name: string): string {
  const path = decodeURIComponent(new URL(here).pathname);
  const compiled = path.includes('$bunfs') || path.includes('/~BUN/');
  return compiled ? new URL(`./spool/${name}.js`, here).href : new URL(`./${name}.ts`, here).href;
}
