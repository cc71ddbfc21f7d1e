import { loadConfig } from '../../config/index.ts';
import { onReload } from '../../lib/early-signals.ts';
import { createFileLogger, createStdoutLog, type RelayLog } from '../../lib/log.ts';
import { privateByDefault } from '../../lib/private.ts';
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
    // Before the log or the spool is opened: every file the relay makes is owner-only.
    privateByDefault();
    const { level, file } = loaded.config.log;
    // The log never stops the relay: a write that fails is counted in its health
    // (/health's log_failing) and retried. Only a path the config makes
    // unusable (a folder, no permission) stops start-up, naming the key.
    let out: RelayLog;
    if (file === '') out = createStdoutLog(level);
    else {
      try {
        out = createFileLogger(level, file);
      } catch (e) {
        io.err(`relay: config log.file (${file}): cannot write the log there: ${(e as Error).message}`);
        return 1;
      }
      io.err(`relay: logging to ${file}`);
    }
    const log = out.logger;
    let relay: Relay;
    try {
      relay = await startRelay(loaded.config, {
        log,
        logHealth: out.health,
        reloadConfig: () => {
          const r = loadConfig(loaded.path, io.env);
          return r.ok ? { ok: true, config: r.config } : { ok: false, problems: r.problems };
        },
      });
    } catch (e) {
      const msg = e instanceof SpoolOpenError ? e.message : `cannot start: ${(e as Error).message}`;
      log.fatal(msg);
      log.flush();
      out.stop();
      io.err(`relay: ${msg}`);
      return 1;
    }
    const running = relay;
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      running.stop().then(
        () => {
          log.flush();
          out.stop();
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
      // SIGHUP: reload tokens and limits; a bad file is refused and the old config stays. One asked
      // for while the relay was starting (kept by lib/early-signals.ts, loaded first) runs now.
      onReload(() => running.reload());
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
