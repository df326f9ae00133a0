// `firewatch incidents dashboard [--port 8080] [--bind 127.0.0.1]`: the seed's web dashboard, served by a gateway
// (control/gateway/) that talks to the daemon(s) named by --socket or --connect and keeps serving while they come and
// go. A bind that other machines can reach is refused unless the configuration gives the page tokens and TLS
// (`service.dashboard.tokens` and `.tls`, the same keys the daemon's own dashboard reads).

import { join } from 'node:path';
import { readConfigDocument, valueAt } from '../../common/config-file.js';
import { formatHostPort, MAX_PORT } from '../../common/endpoint.js';
import { packageRoot } from '../../common/package-root.js';
import { UsageError, type CommandSpec } from '../args.js';
import { connectMembers, print } from '../context.js';
import { listenForStop } from '../../common/stop-signal.js';

const DEFAULT_PORT = 8080;
const DEFAULT_BIND = '127.0.0.1';
const SECTION = 'service.dashboard';

export const incidentsDashboard: CommandSpec = {
  path: ['incidents', 'dashboard'],
  summary: 'Serve the web dashboard (overview, incidents, traces, components, rules; live) for the daemon(s).',
  positionals: [],
  flags: [
    { name: 'port', kind: 'number', placeholder: 'PORT', description: `port to serve on (default ${DEFAULT_PORT}; 0: any free port)` },
    {
      name: 'bind',
      kind: 'string',
      placeholder: 'ADDRESS',
      description: `address to listen on (default ${DEFAULT_BIND}; another machine's reach needs service.dashboard.tokens and .tls)`,
    },
  ],
  examples: [
    'firewatch incidents dashboard                      # then open http://127.0.0.1:8080/',
    'firewatch incidents dashboard --port 9090 --connect ops-1:7070,ops-2:7070 --ca ca.pem',
    'firewatch incidents dashboard --bind 0.0.0.0 --config dashboard.yaml   # with service.dashboard.tokens and .tls',
  ],
  async run(args) {
    const port = args.flags.port === undefined ? DEFAULT_PORT : (args.flags.port as number);
    if (!Number.isInteger(port) || port > MAX_PORT) throw new UsageError(`--port needs a whole number from 0 to ${MAX_PORT}`, incidentsDashboard);
    const bind = ((args.flags.bind as string | undefined) ?? DEFAULT_BIND).replace(/^\[(.*)\]$/, '$1');
    if (bind === '' || /[\s/]/.test(bind)) throw new UsageError('--bind needs an address (127.0.0.1, ::1, 0.0.0.0 …)', incidentsDashboard);
    // Loaded here, not at the top: every other command pays at start for what this file imports (bench/cli.bench.ts).
    const { parseDashboardConfig, readTlsFiles, readTokens } = await import('../../control/door-config.js');
    const { bindRefusal } = await import('../../control/gateway/page-guard.js');
    // The page's own door settings from the configuration file (tokens and TLS; the endpoint is the daemon's own).
    const settings = parseDashboardConfig(valueAt(readConfigDocument(args.flags.config as string | undefined).raw, ['service', 'dashboard']), SECTION);
    const refusal = bindRefusal(bind, { tls: settings.tls !== null, tokens: settings.tokens.length });
    if (refusal !== undefined) throw new UsageError(refusal, incidentsDashboard);
    const readSecrets = () => ({
      tokens: readTokens(settings.tokens, `${SECTION}.tokens`),
      tls: settings.tls === null ? null : readTlsFiles(settings.tls, `${SECTION}.tls`),
    });
    const secrets = readSecrets();

    const members = await connectMembers(args);
    const { startWebGateway } = await import('../../control/gateway/web-gateway.js');
    let gateway;
    try {
      gateway = await startWebGateway({
        members,
        endpoint: formatHostPort(bind, port),
        tls: secrets.tls,
        tokens: secrets.tokens,
        assetsDirectory: join(packageRoot(), 'dist', 'web'),
        onError: (message, fields) => process.stderr.write(`firewatch: ${message}: ${JSON.stringify(fields)}\n`),
      });
    } catch (error) {
      members.forEach((client) => client.close());
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(`cannot serve the dashboard on ${formatHostPort(bind, port)}: the port is in use (pick another with --port)`);
      if (code === 'EACCES') throw new Error(`cannot serve the dashboard on ${formatHostPort(bind, port)}: not allowed (ports below 1024 need privileges)`);
      throw error;
    }
    print(`firewatch dashboard: ${gateway.url}  (${members.map((client) => client.address).join(', ')}; Ctrl-C stops it)`);

    const onHangUp = () => {
      try {
        const next = readSecrets();
        gateway.reload({ tokens: next.tokens, ...(next.tls !== null ? { tls: next.tls } : {}) });
        process.stderr.write('firewatch: dashboard tokens and certificate reloaded\n');
      } catch (error) {
        process.stderr.write(`firewatch: cannot reload; keeping what was loaded: ${(error as Error).message}\n`);
      }
    };
    process.on('SIGHUP', onHangUp);
    await listenForStop().requested;
    process.off('SIGHUP', onHangUp);
    await gateway.stop();
    members.forEach((client) => client.close());
    return 0;
  },
};
