import { loadConfig } from '../../config/index.ts';
import { createFileLogger, createLogger, type Logger } from '../../lib/log.ts';
import { type Relay, startRelay } from '../../relay.ts';
import { SpoolOpenError } from '../../spool/index.ts';
import { type Command, loadConfigFor, parseCommandArgs } from '../context.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'run the relay (the default command)',
  usage: `relay serve [--config FILE] [--service]
  --service   stop gracefully when standard input closes: how relay-service.exe
              (the Windows service) stops the relay, and how it never outlives it`,
  async run(args, io) {
    const { values } = parseCommandArgs('serve', args, { service: { type: 'boolean' } });
    const loaded = loadConfigFor(values.config, io);
    if (!loaded) return 2;
    const { level, file } = loaded.config.log;
    let log: Logger;
    if (file === '') log = createLogger(level);
    else {
      try {
        log = createFileLogger(level, file).logger;
      } catch (e) {
        io.err(`relay: config log.file (${file}): cannot write the log there: ${(e as Error).message}`);
        return 1;
      }
      io.err(`relay: logging to ${file}`);
    }
    let relay: Relay;
    try {
      relay = await startRelay(loaded.config, {
        log,
        reloadConfig: () => {
          const r = loadConfig(loaded.path, io.env);
          return r.ok ? { ok: true, config: r.config } : { ok: false, problems: r.problems };
        },
      });
    } catch (e) {
      const msg = e instanceof SpoolOpenError ? e.message : `cannot start: ${(e as Error).message}`;
      log.fatal(msg);
      log.flush();
      io.err(`relay: ${msg}`);
      return 1;
    }
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
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
    // SIGTERM (service managers), SIGINT (Ctrl-C, also on Windows consoles).
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    if (process.platform === 'win32') {
      // Ctrl-Break, and closing the console window (libuv maps CTRL_CLOSE_EVENT to SIGHUP).
      process.on('SIGBREAK', () => shutdown('SIGBREAK'));
      process.on('SIGHUP', () => shutdown('SIGHUP'));
    } else {
      // SIGHUP: reload tokens and limits; a bad file is refused and the old config stays.
      process.on('SIGHUP', () => relay.reload());
    }
    if (values.service) {
      // relay-service.exe closes the pipe on sc stop, and Windows closes it if the wrapper dies.
      process.stdin.on('end', () => shutdown('service stop (standard input closed)'));
      process.stdin.on('error', () => shutdown('service stop (standard input failed)'));
      process.stdin.resume();
    }
    return 'running';
  },
};
