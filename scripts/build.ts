/**
 * `make build`: one self-contained binary, dist/relay.
 *
 * libsql picks its native addon with a dynamic `require(\`@libsql/${target}\`)`,
 * which the bundler cannot follow, so a plain `bun build --compile` binary dies
 * with "Cannot find module '@libsql/linux-x64-gnu'". The plugin below rewrites
 * that call into a static require of the platform's `index.node`, which Bun then
 * embeds. The SQL migrations travel as src/spool/migrations.generated.ts.
 */
import type { BunPlugin } from 'bun';
import { parseArgs } from 'node:util';

const ADDONS: Record<string, string> = {
  'bun-linux-x64': 'linux-x64-gnu',
  'bun-linux-arm64': 'linux-arm64-gnu',
  'bun-windows-x64': 'win32-x64-msvc',
};

export function libsqlStaticAddon(addonPkg: string): BunPlugin {
  return {
    name: 'libsql-static-addon',
    setup(build) {
      build.onLoad({ filter: /node_modules[\\/]libsql[\\/]index\.js$/ }, async (args) => {
        const src = await Bun.file(args.path).text();
        const dynamic = 'return require(`@libsql/${target}`);';
        if (!src.includes(dynamic)) {
          throw new Error(`libsql-static-addon: ${args.path} no longer contains ${dynamic}; update the plugin`);
        }
        return { contents: src.replace(dynamic, `return require("@libsql/${addonPkg}/index.node");`), loader: 'js' };
      });
    },
  };
}

async function gitCommit(): Promise<string> {
  const p = Bun.spawn(['git', 'rev-parse', '--short=12', 'HEAD'], { stdout: 'pipe', stderr: 'ignore' });
  const out = (await new Response(p.stdout).text()).trim();
  return (await p.exited) === 0 && out ? out : 'unknown';
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: 'string', default: 'bun-linux-x64' },
      outfile: { type: 'string', default: 'dist/relay' },
      'executable-path': { type: 'string' },
    },
  });
  const target = values.target!;
  const addon = ADDONS[target];
  if (!addon) throw new Error(`unknown target ${target}; known: ${Object.keys(ADDONS).join(', ')}`);
  const commit = (await gitCommit()) + (process.env.RELAY_DIRTY ? '-dirty' : '');
  const result = await Bun.build({
    entrypoints: ['src/main.ts'],
    compile: {
      target: target as Bun.Build.CompileTarget,
      outfile: values.outfile,
      ...(values['executable-path'] ? { executablePath: values['executable-path'] } : {}),
      // A restaurant PC's working directory must not change how the relay behaves.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    minify: true,
    sourcemap: 'none',
    define: { RELAY_COMMIT: JSON.stringify(commit) },
    plugins: [libsqlStaticAddon(addon)],
  });
  if (!result.success) {
    for (const l of result.logs) console.error(l);
    process.exit(1);
  }
  console.log(`built ${values.outfile} (${target}, commit ${commit})`);
}
