// `firewatch` with no command. In a terminal: the daemon and the terminal UI in one process, the daemon's log in a
// file under its storage directory (named on screen), `q` stopping both. Anywhere else (piped, CI, systemd): the
// daemon alone, exactly as `firewatch serve`.

import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../common/logger.js';
import type { CommandSpec } from '../args.js';
import { ACTOR_FLAG, actorOf } from '../flags.js';
import { serve } from './serve.js';

/** The daemon's log while the TUI has the terminal. */
export const DAEMON_LOG_FILE = 'firewatch.log';
/** As in `firewatch tui`: a handle nobody closed must not keep the process alive once both are stopped. */
const EXIT_GRACE_MS = 2_000;

function interactive(env: NodeJS.ProcessEnv): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && env.TERM !== 'dumb';
}

export const firewatchDefault: CommandSpec = {
  path: [],
  summary: 'In a terminal: the daemon and the terminal UI together (q stops both); otherwise the daemon, as `serve`.',
  positionals: [],
  flags: [{ name: 'ascii', kind: 'boolean', description: 'the terminal UI writes no byte above 0x7F' }, ACTOR_FLAG],
  examples: ['firewatch', 'firewatch --config ./otel-config.yaml'],
  async run(args) {
    if (!interactive(process.env)) return serve.run(args);
    const [{ loadConfig, ConfigError }, { startDaemon }, { fixHeapGrowthFactor }, { connectControl }, { runTui }] = await Promise.all([
      import('../../daemon/config.js'),
      import('../../daemon/serve.js'),
      import('../../daemon/heap-growth.js'),
      import('../../control/client.js'),
      import('../../tui/run.js'),
    ]);
    let config;
    try {
      config = loadConfig(args.flags.config as string | undefined).config;
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`firewatch: invalid configuration: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    if (args.flags.socket) config.service.control.socket = String(args.flags.socket);
    // The terminal belongs to the UI: the daemon logs to a file beside its data (created as the daemon creates it).
    const storage = resolve(config.storage.directory);
    mkdirSync(storage, { recursive: true, mode: 0o700 });
    const logPath = join(storage, DAEMON_LOG_FILE);
    const logFile = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
    const log = createLogger((line) => logFile.write(line), config.service.telemetry.logs.level);
    fixHeapGrowthFactor(); // this process runs the daemon, as `firewatch serve` does
    let daemon;
    try {
      daemon = await startDaemon(config, { logger: log });
    } catch (error) {
      logFile.end();
      process.stderr.write(`firewatch: cannot start: ${(error as Error).message}\n`);
      return 1;
    }
    // The UI reaches its own daemon through the daemon's control socket, exactly as `firewatch tui` does.
    const code = await runTui({
      clients: [connectControl(daemon.socketPath)],
      readOnly: false,
      ascii: Boolean(args.flags.ascii),
      actor: actorOf(args),
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      // The daemon shares this process: Ctrl-Z would stop it too, and leave every exporter waiting.
      suspendable: false,
      // The path first: the message line is cut to the terminal's width, and the path is what a person needs.
      initialMessage: `daemon up, its log is ${logPath}; OTLP/gRPC on ${daemon.otlpGrpcEndpoint}`,
    });
    log.info('shutting down', { reason: 'the terminal UI ended' });
    await daemon.stop();
    await new Promise<void>((resolveEnd) => logFile.end(resolveEnd));
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  },
};
