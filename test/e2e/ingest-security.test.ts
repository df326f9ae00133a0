// TLS and bearer tokens on the OTLP receivers, end to end with the real SDK configured the documented way (the
// OTEL_EXPORTER_OTLP_* variables: endpoint, protocol, CERTIFICATE, CLIENT_KEY/CLIENT_CERTIFICATE, HEADERS): a sender
// with the CA and a token gets in over gRPC and HTTP; one without the token, or without a client certificate where
// mutual TLS is asked, is refused and nothing of its export is counted; SIGHUP re-reads the token file.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from '../../control/client.js';
import { eventually, makeWorkspace, removeWorkspace, REPO_ROOT, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

const APP = join(REPO_ROOT, 'test', 'fixtures', 'readme-app.mjs');
const TOKEN = 'ingest-0a1b2c3d4e5f6a7b8c9d0e1f';
const FILE_TOKEN = 'ingest-file-9f8e7d6c5b4a3f2e1d0c';
const ROTATED = 'ingest-rotated-1234567890abcdef';

/** The SDK app, configured only by OTEL_* variables, as a user would. */
function runApp(vars: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const app = spawn(process.execPath, [APP], {
    env: { ...clean, OTEL_SERVICE_NAME: 'checkout', OTEL_METRIC_EXPORT_INTERVAL: '60000', OTEL_BSP_SCHEDULE_DELAY: '100', ERROR_SPANS: '12', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => app.once('exit', (code) => resolve({ code, output })));
}

async function received(daemon: DaemonProcess): Promise<{ spans: number; logs: number }> {
  const client = connectControl(daemon.socket);
  try {
    const status = await client.status();
    return { spans: status.spans_received, logs: status.log_records_received };
  } finally {
    client.close();
  }
}

describe('receiver TLS and bearer tokens', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let pki: TestPki;

  beforeEach(() => {
    workspace = makeWorkspace();
    pki = makeTestPki(workspace);
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  const tls = (clientCa?: string) =>
    `{ cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)}${clientCa ? `, client_ca_file: ${JSON.stringify(clientCa)}` : ''} }`;

  it('lets in senders with the CA and a token, over gRPC and HTTP; refuses the others and counts nothing of theirs', async () => {
    // prepare: both receivers on TLS, both asking for a token (one from the config, one from a file)
    const tokenFile = join(workspace, 'ingest.tokens');
    writeFileSync(tokenFile, `# senders\n${FILE_TOKEN}\n`, { mode: 0o600 });
    const config = writeConfig(workspace, ['extensions:', `  bearertokenauth: { tokens: [ "\${env:INGEST_TOKEN}" ], filename: ${JSON.stringify(tokenFile)} }`].join('\n'), {
      protocols: [
        '      grpc:',
        '        endpoint: 127.0.0.1:0',
        `        tls: ${tls()}`,
        '        auth: { authenticator: bearertokenauth }',
        '      http:',
        '        endpoint: 127.0.0.1:0',
        `        tls: ${tls()}`,
        '        auth: { authenticator: bearertokenauth }',
      ],
    });
    daemon = await startDaemon(workspace, config, { INGEST_TOKEN: TOKEN });
    const grpc = { OTEL_EXPORTER_OTLP_ENDPOINT: `https://${daemon.otlpEndpoint}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile };
    const http = { OTEL_EXPORTER_OTLP_ENDPOINT: `https://${daemon.httpEndpoint}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile };
    const bearer = (token: string) => ({ OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${token}` });

    // act and verify: refused senders first — nothing of theirs is counted
    await runApp({ ...grpc });
    await runApp({ ...http });
    await runApp({ ...grpc, ...bearer('not-a-valid-token-at-all-000000') });
    await runApp({ ...http, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.certFile, ...bearer(TOKEN) }); // a CA that does not sign the server's certificate
    expect(await received(daemon)).toEqual({ spans: 0, logs: 0 });
    await eventually(async () => (/export refused .*answer=UNAUTHENTICATED reason="unauthenticated: a Bearer token is required/.test(daemon!.logs()) ? true : undefined));
    expect(daemon.logs()).toMatch(/answer=401 reason="unauthenticated: the token is not valid|answer=401/);

    // a sender with the CA and a token gets in, over either protocol; the token file's token works too
    expect((await runApp({ ...grpc, ...bearer(TOKEN) })).code).toBe(0);
    expect((await runApp({ ...http, ...bearer(FILE_TOKEN) })).code).toBe(0);
    await eventually(async () => {
      const counts = await received(daemon!);
      return counts.spans === 24 && counts.logs === 24 ? counts : undefined;
    }, 15_000);

    // SIGHUP re-reads the token file: the old token is refused, the new one let in
    writeFileSync(tokenFile, `${ROTATED}\n`);
    daemon.child.kill('SIGHUP');
    await eventually(async () => (/reloaded .*ingest_tokens=2/.test(daemon!.logs()) ? true : undefined));
    await runApp({ ...http, ...bearer(FILE_TOKEN) });
    expect((await received(daemon)).spans).toBe(24);
    await runApp({ ...http, ...bearer(ROTATED) });
    await eventually(async () => ((await received(daemon!)).spans === 36 ? true : undefined), 15_000);

    // no token anywhere in the daemon's output
    for (const secret of [TOKEN, FILE_TOKEN, ROTATED]) expect(daemon.logs()).not.toContain(secret);
  }, 120_000);

  it('with client_ca_file, refuses senders without a client certificate or with one from another CA, over gRPC and HTTP', async () => {
    const config = writeConfig(workspace, '', {
      protocols: ['      grpc:', '        endpoint: 127.0.0.1:0', `        tls: ${tls(pki.caFile)}`, '      http:', '        endpoint: 127.0.0.1:0', `        tls: ${tls(pki.caFile)}`],
    });
    daemon = await startDaemon(workspace, config);
    mkdirSync(join(workspace, 'stranger'));
    const stranger = makeTestPki(join(workspace, 'stranger'));
    const over = (endpoint: string, protocol: string) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `https://${endpoint}`, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caFile });
    const senders = [over(daemon.otlpEndpoint, 'grpc'), over(daemon.httpEndpoint, 'http/protobuf')];
    for (const sender of senders) {
      await runApp(sender);
      await runApp({ ...sender, OTEL_EXPORTER_OTLP_CLIENT_KEY: stranger.clientKeyFile, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: stranger.clientCertFile });
    }
    expect((await received(daemon)).spans).toBe(0);
    // over HTTP the SDK's client was seen to send no certificate that the server's CA list does not name: both read the same
    for (const port of ['otlp_grpc', 'otlp_http']) {
      expect(daemon.logs()).toMatch(new RegExp(`TLS refused port=${port} peer=127\\.0\\.0\\.1:\\d+ answer=closed reason="no client certificate \\(mutual TLS is required\\)"`));
    }
    expect(daemon.logs()).toMatch(/TLS refused port=otlp_grpc peer=127\.0\.0\.1:\d+ answer=closed reason="client certificate refused \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)"/);
    for (const sender of senders) await runApp({ ...sender, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKeyFile, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCertFile });
    await eventually(async () => ((await received(daemon!)).spans === 24 ? true : undefined), 15_000);
  }, 90_000);
});
