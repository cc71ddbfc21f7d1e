/**
 * The client matrix's toolchains, from Debian: installed with apt-get when
 * missing (as .ci/run does beforehand), and the client programs in
 * programs/ compiled once per run into a temp folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PROGRAMS = join(import.meta.dir, 'programs');
const JACKSON = ['jackson-databind', 'jackson-core', 'jackson-annotations'].map((j) => `/usr/share/java/${j}.jar`);
/** Debian's python3 (whose requests is python3-requests), not whatever python3 comes first on PATH. */
export const PYTHON = '/usr/bin/python3';

/** Each Debian package and how to tell it is there. .ci/run installs the same list. */
const PACKAGES: { pkg: string; present: () => boolean }[] = [
  { pkg: 'openjdk-17-jdk-headless', present: () => Bun.which('javac') !== null && Bun.which('java') !== null },
  { pkg: 'libjackson2-databind-java', present: () => JACKSON.every((j) => existsSync(j)) },
  { pkg: 'golang-go', present: () => Bun.which('go') !== null },
  { pkg: 'mono-devel', present: () => Bun.which('mcs') !== null && Bun.which('mono') !== null },
  { pkg: 'python3-requests', present: () => run([PYTHON, '-c', 'import requests']).ok },
  { pkg: 'curl', present: () => Bun.which('curl') !== null },
  { pkg: 'openssl', present: () => Bun.which('openssl') !== null },
];

function run(cmd: string[], cwd?: string, env?: Record<string, string>): { ok: boolean; err: string } {
  try {
    const p = Bun.spawnSync(cmd, { cwd, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
    return { ok: p.exitCode === 0, err: `${p.stdout.toString()}${p.stderr.toString()}` };
  } catch (e) {
    return { ok: false, err: (e as Error).message };
  }
}

/** Installs what is missing; throws naming the packages that still are. */
export function ensurePackages(): void {
  const missing = () => PACKAGES.filter((p) => !p.present()).map((p) => p.pkg);
  let want = missing();
  if (want.length === 0) return;
  console.log(`client matrix: installing ${want.join(' ')} with apt-get`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!run(['apt-get', 'install', '-y', '-qq', ...want], undefined, env).ok) {
    run(['apt-get', 'update', '-qq'], undefined, env);
    run(['apt-get', 'install', '-y', '-qq', ...want], undefined, env);
  }
  want = missing();
  if (want.length > 0) throw new Error(`client matrix: missing Debian packages: apt-get install -y ${want.join(' ')}`);
}

export interface Programs {
  java: string[];
  /** The same Java programs trusting only `cert` (a PKCS12 trust store made with keytool). */
  javaTrusting(cert: string): Promise<string[]>;
  go: string;
  mono: string[];
  python: (script: string) => string[];
  node: string[];
}

/** Compiles the Java, Go and C# clients into `dir` (together, a few seconds). */
export async function buildPrograms(dir: string): Promise<Programs> {
  const classpath = [dir, ...JACKSON].join(':');
  const build = async (cmd: string[], env: Record<string, string> = {}) => {
    const p = Bun.spawn(cmd, { cwd: dir, env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
    const [code, out, err] = await Promise.all([
      p.exited,
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
    ]);
    if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}):\n${out}${err}`);
  };
  await Promise.all([
    build(['javac', '-d', dir, '-cp', classpath, join(PROGRAMS, 'Clients.java')]),
    // GOCACHE outside the temp folder: the standard library is compiled once per machine, not per run.
    build(['go', 'build', '-o', join(dir, 'goclient'), join(PROGRAMS, 'client.go')], {
      GOCACHE: '/tmp/relay-clients-gocache',
      GO111MODULE: 'off',
    }),
    build(['mcs', '-r:System.Net.Http.dll', `-out:${join(dir, 'Client.exe')}`, join(PROGRAMS, 'Client.cs')]),
  ]);
  const javaTrusting = async (cert: string) => {
    const store = join(dir, 'trust.p12');
    if (!existsSync(store))
      await build([
        'keytool',
        '-importcert',
        '-noprompt',
        '-alias',
        'relay',
        '-file',
        cert,
        '-keystore',
        store,
        '-storetype',
        'PKCS12',
        '-storepass',
        'relay-test',
      ]);
    return [
      'java',
      `-Djavax.net.ssl.trustStore=${store}`,
      '-Djavax.net.ssl.trustStorePassword=relay-test',
      '-cp',
      classpath,
      'Clients',
    ];
  };
  return {
    java: ['java', '-cp', classpath, 'Clients'],
    javaTrusting,
    go: join(dir, 'goclient'),
    mono: ['mono', join(dir, 'Client.exe')],
    python: (script) => [PYTHON, join(PROGRAMS, script)],
    node: ['node', join(PROGRAMS, 'node-fetch.mjs')],
  };
}
