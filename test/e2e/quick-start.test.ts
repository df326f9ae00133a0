// The README's quick start, run as a user runs it: an app using @opentelemetry/sdk-node configured only by OTEL_*
// variables (test/fixtures/readme-app.mjs is the README's snippet), pointed at the daemon exactly as the README's
// commands say, with the SDK's default protocol (http/protobuf) and with each protocol named. Traces, logs and
// metrics must all arrive, whichever port the user picked; gRPC exporters keep working on the same port.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleValue, scrapeMetrics } from '../helpers/metrics-scrape.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import {
  eventually,
  makeWorkspace,
  removeWorkspace,
  REPO_ROOT,
  runCli,
  startDaemon,
  writeConfig,
  type DaemonProcess,
} from '../helpers/daemon-process.js';

const README_APP = join(REPO_ROOT, 'test', 'fixtures', 'readme-app.mjs');
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const SPANS = 12;

/** `NAME=value` assignments of `text` (a command line or `export` lines), in order. */
function assignments(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/\b(OTEL_[A-Z_]+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));
}

/** The quick start's `OTEL_…=… node your-app.js` line, its variables pointed at the test daemon's ports. */
function quickStartVars(ports: Record<string, string>): Record<string, string> {
  const line = README.split('\n').find((text) => /^(OTEL_\S+=\S+ )+node your-app\.js/.test(text));
  if (line === undefined) throw new Error('README: no `OTEL_…=… node your-app.js` line in the quick start');
  return withPorts(assignments(line.slice(0, line.indexOf(' node '))), ports);
}

/** The `export OTEL_…` lines of "Sending telemetry to firewatch", pointed at the test daemon's ports. */
function exportedVars(ports: Record<string, string>): Record<string, string> {
  const block = /```sh\n((?:export OTEL_.*\n)+)```/.exec(README);
  if (block === null) throw new Error('README: no block of `export OTEL_…` lines');
  return withPorts(assignments(block[1]!), ports);
}

function withPorts(vars: Record<string, string>, ports: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name, value.replace(/127\.0\.0\.1:(4317|4318)/, (address, port: string) => ports[port] ?? address)]),
  );
}

/** The environment of a shell where the user set only `vars`: no OTEL_* left over from the test runner. */
function userEnvironment(vars: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  return { ...clean, ...vars };
}

/** `VARS… node readme-app.mjs`; resolves with its exit code and output. */
function runApp(vars: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const app = spawn(process.execPath, [README_APP], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: userEnvironment({ ...vars, ERROR_SPANS: String(SPANS) }),
  });
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveRun) => app.once('exit', (code) => resolveRun({ code, output })));
}

/** Items the daemon accepted per signal, from its own /metrics. */
async function itemsReceived(daemon: DaemonProcess): Promise<Record<'traces' | 'logs' | 'metrics', number>> {
  const families = await scrapeMetrics(daemon.metricsEndpoint);
  const items = (signal: string) => sampleValue(families, 'firewatch_receiver_items_total', { signal });
  return { traces: items('traces'), logs: items('logs'), metrics: items('metrics') };
}

async function allSignalsArrive(daemon: DaemonProcess, vars: Record<string, string>): Promise<void> {
  const run = await runApp(vars);
  expect(run.code, run.output).toBe(0);
  // Flushed at shutdown: SPANS spans, SPANS log records and the memory gauge's one point.
  const received = await eventually(async () => {
    const counts = await itemsReceived(daemon);
    return counts.traces >= SPANS && counts.logs >= SPANS && counts.metrics >= 1 ? counts : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}\napp output:\n${run.output}\ndaemon log:\n${daemon.logs()}`);
  });
  expect(received).toEqual({ traces: SPANS, logs: SPANS, metrics: 1 });
  const listed = await runCli(['incidents', 'list', '--format', 'json', '--socket', daemon.socket]);
  expect(JSON.parse(listed.stdout)).toEqual([
    expect.objectContaining({ incident_type: 'error_burst', affected_components: ['storefront'], event_count: SPANS * 2 }),
  ]);
}

describe('README quick start with @opentelemetry/sdk-node and OTEL_* variables only', () => {
  it('runs the README\'s Node.js snippet verbatim', () => {
    const snippet = /```js\n(import \{ NodeSDK \} from '@opentelemetry\/sdk-node';\n[\s\S]*?)```/.exec(README);
    expect(snippet, 'README: the NodeSDK snippet').not.toBeNull();
    const fixture = readFileSync(README_APP, 'utf8');
    const between = /\/\/ ---- README snippet.*\n([\s\S]*?)\/\/ ---- end of snippet ----/.exec(fixture);
    expect(between![1]).toBe(snippet![1]);
  });

  let workspace: string;
  let daemon: DaemonProcess | undefined;

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('the quick start line (OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317, SDK default protocol http/protobuf) delivers all three signals', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    const vars = quickStartVars({ '4317': daemon.otlpEndpoint, '4318': daemon.httpEndpoint });
    expect(vars).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.otlpEndpoint}` });
    await allSignalsArrive(daemon, { ...vars, OTEL_SERVICE_NAME: 'storefront' });
  });

  it('the README\'s `export OTEL_…` lines (http/protobuf on the HTTP port) deliver all three signals', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    const vars = exportedVars({ '4317': daemon.otlpEndpoint, '4318': daemon.httpEndpoint });
    expect(vars).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.httpEndpoint}` });
    await allSignalsArrive(daemon, { ...vars, OTEL_SERVICE_NAME: 'storefront' });
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc on the gRPC port delivers all three signals', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    await allSignalsArrive(daemon, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.otlpEndpoint}`,
      OTEL_SERVICE_NAME: 'storefront',
    });
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf on the gRPC port delivers all three signals', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    await allSignalsArrive(daemon, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.otlpEndpoint}`,
      OTEL_SERVICE_NAME: 'storefront',
    });
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json on the gRPC port delivers all three signals, and gRPC exporters share the port', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    await allSignalsArrive(daemon, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${daemon.otlpEndpoint}`,
      OTEL_SERVICE_NAME: 'storefront',
    });
    // The grpc-js exporter on the same port, after OTLP/HTTP connections were served there.
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(10));
    expect((await itemsReceived(daemon)).traces).toBe(SPANS + 10);
  });
});
