/**
 * Where a spool thread's script is. From source it sits beside this file; in
 * the compiled binary (scripts/build.ts embeds each as an entrypoint) it is
 * `spool/<name>.js` beside the binary's own module in Bun's embedded file system
 * (`/$bunfs/root/` on Linux, `B:/~BUN/root/` on Windows).
 */
export function workerUrl(name: 'background-worker'): string {
  const here = import.meta.url;
  const compiled = here.includes('$bunfs') || here.includes('~BUN');
  return compiled ? new URL(`./spool/${name}.js`, here).href : new URL(`./${name}.ts`, here).href;
}
