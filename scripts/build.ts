/**
 * `make build`: one self-contained binary, dist/relay.
 *
 * libsql picks its native addon with a dynamic `require(\`@libsql/${target}\`)`,
 * which the bundler cannot follow, so a plain `bun build --compile` binary dies
 * with "Cannot find module '@libsql/linux-x64-gnu'". The plugin below rewrites
 * that call into a static require of the platform's `index.node`, which Bun then
 * embeds. The SQL migrations travel as src/spool/migrations.generated.ts.
 *
 * scripts/release.ts calls buildRelay() once per target, with the foreign
 * target's Bun runtime (`executablePath`) and addon (`addon`, an absolute path
 * into its cache) fetched from the npm registry.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BunPlugin } from 'bun';

/** Bun compile target → the @libsql/* package holding that platform's addon. */
export const ADDONS: Record<string, string> = {
  'bun-linux-x64': 'linux-x64-gnu',
  'bun-linux-x64-baseline': 'linux-x64-gnu',
  'bun-linux-arm64': 'linux-arm64-gnu',
  'bun-windows-x64': 'win32-x64-msvc',
  'bun-windows-x64-baseline': 'win32-x64-msvc',
};

/**
 * What `relay version` says it is (src/cli/lib/cpu.ts): "baseline" for Bun's
 * runtime built for any x86-64 CPU, else "default" (on x64, the one needing
 * AVX2). Read from the target's name, which is the runtime's package's name
 * too (scripts/release.ts); a host build without `executablePath` takes the
 * host's own Bun, which is the default one wherever `make` installed it on an
 * AVX2 machine.
 */
export function buildFlavor(target: string): 'baseline' | 'default' {
  return target.endsWith('-baseline') ? 'baseline' : 'default';
}

/**
 * `addon` is either a package suffix ("linux-x64-gnu", resolved from node_modules)
 * or an absolute path to an `index.node` (a foreign platform's, from the release cache).
 */
export function libsqlStaticAddon(addon: string): BunPlugin {
  const spec = isAbsolute(addon) ? addon : `@libsql/${addon}/index.node`;
  return {
    name: 'libsql-static-addon',
    setup(build) {
      build.onLoad({ filter: /node_modules[\\/]libsql[\\/]index\.js$/ }, async (args) => {
        const src = await Bun.file(args.path).text();
        const dynamic = 'return require(`@libsql/${target}`);';
        if (!src.includes(dynamic)) {
          throw new Error(`libsql-static-addon: ${args.path} no longer contains ${dynamic}; update the plugin`);
        }
        return { contents: src.replace(dynamic, `return require(${JSON.stringify(spec)});`), loader: 'js' };
      });
    },
  };
}

export async function gitCommit(): Promise<string> {
  const p = Bun.spawn(['git', 'rev-parse', '--short=12', 'HEAD'], { stdout: 'pipe', stderr: 'ignore' });
  const out = (await new Response(p.stdout).text()).trim();
  return (await p.exited) === 0 && out ? out : 'unknown';
}

export interface BuildOptions {
  target: string;
  outfile: string;
  /** The target's Bun runtime; omitted for the host's own platform (Bun uses itself). */
  executablePath?: string;
  /** Package suffix or absolute index.node path; defaults to ADDONS[target] from node_modules. */
  addon?: string;
  commit: string;
  /** From scripts/release.ts x64Runtimes: whether the default x64 runtime has a separate baseline one. */
  x64Runtimes?: 'one' | 'two';
}

const MINGW = 'x86_64-w64-mingw32-gcc';

/**
 * relay-service.exe (src/cli/service/relay-service.c), the Windows service
 * around relay.exe, cross-compiled with Debian's mingw-w64 into a temp folder;
 * the Windows builds embed it. `--no-insert-timestamp`: the same source gives
 * the same bytes, so a rebuilt relay.exe differs only where its source does.
 */
export function buildServiceWrapper(): string {
  const gcc = Bun.which(MINGW);
  if (!gcc) {
    throw new Error(
      `a Windows build embeds relay-service.exe, compiled with ${MINGW}, which is not on PATH (Debian: apt-get install gcc-mingw-w64-x86-64; \`make release\` installs it)`,
    );
  }
  const out = join(mkdtempSync(join(tmpdir(), 'relay-service-')), 'relay-service.exe');
  const p = Bun.spawnSync(
    [
      gcc,
      '-municode',
      '-O2',
      '-s',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-Wl,--no-insert-timestamp',
      '-o',
      out,
      'src/cli/service/relay-service.c',
      '-ladvapi32',
      '-lshell32',
    ],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  if (p.exitCode !== 0) throw new Error(`${MINGW} relay-service.c failed:\n${p.stderr.toString()}`);
  return out;
}

export async function buildRelay(opts: BuildOptions): Promise<void> {
  const addon = opts.addon ?? ADDONS[opts.target];
  if (!addon) throw new Error(`unknown target ${opts.target}; known: ${Object.keys(ADDONS).join(', ')}`);
  const windows = opts.target.startsWith('bun-windows-');
  const wrapper = windows ? buildServiceWrapper() : null;
  try {
    await bundle(opts, addon, wrapper);
  } finally {
    // The wrapper is in the executable now; its temp folder goes.
    if (wrapper) rmSync(dirname(wrapper), { recursive: true, force: true });
  }
}

async function bundle(opts: BuildOptions, addon: string, wrapper: string | null): Promise<void> {
  const result = await Bun.build({
    // The spool's background thread (integrity scan, checkpoints) is a Worker: its own entrypoint, embedded;
    // on Windows the service wrapper too, found again through Bun.embeddedFiles (src/cli/service/wrapper.ts).
    entrypoints: ['src/main.ts', 'src/spool/background-worker.ts', ...(wrapper ? [wrapper] : [])],
    loader: { '.exe': 'file' },
    // Entrypoints keep their paths under src/ (src/spool/worker-url.ts counts on `spool/`), whatever else is embedded.
    root: 'src',
    compile: {
      target: opts.target as Bun.Build.CompileTarget,
      outfile: opts.outfile,
      ...(opts.executablePath ? { executablePath: opts.executablePath } : {}),
      // A restaurant PC's working directory must not change how the relay behaves.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    minify: true,
    sourcemap: 'none',
    define: {
      RELAY_COMMIT: JSON.stringify(opts.commit),
      RELAY_BUILD_FLAVOR: JSON.stringify(buildFlavor(opts.target)),
      RELAY_X64_RUNTIMES: JSON.stringify(opts.x64Runtimes ?? 'unknown'),
    },
    plugins: [libsqlStaticAddon(addon)],
  });
  if (!result.success) {
    throw new Error(`build of ${opts.outfile} (${opts.target}) failed:\n${result.logs.map(String).join('\n')}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: 'string', default: 'bun-linux-x64' },
      outfile: { type: 'string', default: 'dist/relay' },
      'executable-path': { type: 'string' },
      addon: { type: 'string' },
    },
  });
  const target = values.target!;
  const commit = (await gitCommit()) + (process.env.RELAY_DIRTY ? '-dirty' : '');
  try {
    await buildRelay({
      target,
      outfile: values.outfile!,
      executablePath: values['executable-path'],
      addon: values.addon,
      commit,
    });
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  console.log(`built ${values.outfile} (${target}, commit ${commit})`);
}
