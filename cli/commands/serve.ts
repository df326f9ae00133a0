// `firewatch serve`: run the daemon in the foreground. Loaded lazily so client commands start fast.

import type { CommandSpec } from '../args.js';

export const serve: CommandSpec = {
  path: ['serve'],
  summary: 'Run the firewatch daemon: OTLP receiver, detection engine, LMDB store and control API.',
  positionals: [],
  flags: [],
  examples: [
    'firewatch serve',
    'firewatch serve --config ./otel-config.yaml',
    'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 node your-app.js   # then point your apps at it',
  ],
  async run(args) {
    const { runDaemon } = await import('../../daemon/serve.js');
    return runDaemon({ configFile: args.flags.config as string | undefined, socket: args.flags.socket as string | undefined });
  },
};
