import { parseArgs } from 'node:util';
import { loadConfig, resolveConfigPath, type Config } from '../config/index.ts';
import { createLogger } from '../lib/log.ts';
import { startRelay } from '../relay.ts';
import { SpoolOpenError } from '../spool/index.ts';
import { COMMIT, VERSION } from '../version.ts';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const USAGE = `usage: relay [serve] [--config FILE]     run the relay (default command)
       relay check [--config FILE]       validate the config, print every problem (exit 0 or 2)
       relay version                      print version and build commit

Without --config the relay reads ./relay.toml, then the file named by RELAY_CONFIG.`;

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config. */
export async function main(argv: string[], io: Io): Promise<number | 'running'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    io.err(`relay: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command = 'serve', ...rest] = parsed.positionals;
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  if (rest.length > 0) {
    io.err(`relay ${command}: unexpected argument ${JSON.stringify(rest[0])}\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case 'version':
      io.out(`relay ${VERSION} (commit ${COMMIT})`);
      return 0;
    case 'check': {
      const r = load(parsed.values.config, io);
      if (!r) return 2;
      io.out(`config ${r.path}: ok (${r.config.tokens.length} token(s), spool ${r.config.spool.path})`);
      return 0;
    }
    case 'serve':
      return serve(parsed.values.config, io);
    default:
      io.err(`relay: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

function load(explicit: string | undefined, io: Io): { config: Config; path: string } | undefined {
  const path = resolveConfigPath(explicit, { cwd: io.cwd, env: io.env });
  if (!path) {
    io.err('relay: no config file: pass --config FILE, create ./relay.toml, or set RELAY_CONFIG');
    return undefined;
  }
  const r = loadConfig(path, io.env);
  if (!r.ok) {
    for (const p of r.problems) io.err(p);
    io.err(`config ${path}: ${r.problems.length} problem(s)`);
    return undefined;
  }
  return { config: r.config, path };
}

async function serve(explicit: string | undefined, io: Io): Promise<number | 'running'> {
  const loaded = load(explicit, io);
  if (!loaded) return 2;
  const log = createLogger(loaded.config.log.level);
  let relay;
  try {
    relay = await startRelay(loaded.config, { log });
  } catch (e) {
    const msg = e instanceof SpoolOpenError ? e.message : `cannot start: ${(e as Error).message}`;
    log.fatal(msg);
    log.flush();
    io.err(`relay: ${msg}`);
    return 1;
  }
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    relay.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      (e) => {
        io.err(`relay: stop failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // SIGHUP: reload tokens and limits; a bad file is refused and the old config stays.
  process.on('SIGHUP', () => {
    const r = loadConfig(loaded.path, io.env);
    if (!r.ok) {
      log.error({ problems: r.problems }, 'config reload refused; keeping the running config');
      return;
    }
    relay.reconfigure(r.config);
    log.info({ tokens: r.config.tokens.length }, 'config reloaded');
  });
  return 'running';
}
