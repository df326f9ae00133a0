// What the daemon's log says about senders it could not serve as they asked: wrong-protocol connections on either
// port, undecodable and refused exports — one line each, with the sender's address, at the configured level.

import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, removeWorkspace, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

const TLS_CLIENT_HELLO_START = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xf1, 0x01, 0x00, 0x00, 0xed, 0x03, 0x03]);

/** Sends `bytes` on a raw connection to `endpoint`; resolves with the client's own `address:port` once closed. */
function rawConnection(endpoint: string, bytes: Buffer): Promise<string> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    let local = '';
    const socket = connect(port, host, () => {
      local = `${socket.localAddress}:${socket.localPort}`;
      socket.write(bytes);
    });
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('close', () => resolve(local));
  });
}

async function logLine(daemon: DaemonProcess, pattern: RegExp): Promise<string> {
  return eventually(async () => daemon.logs().split('\n').find((line) => pattern.test(line)));
}

describe('the daemon log on senders it cannot serve', () => {
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

  it('logs TLS on the gRPC port, gRPC on the HTTP port and undecodable exports, with the sender\'s address', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, '', { http: true }));
    const tlsPeer = await rawConnection(daemon.otlpEndpoint, TLS_CLIENT_HELLO_START);
    expect(await logLine(daemon, /warn wrong protocol port=otlp_grpc/)).toContain(`peer=${tlsPeer} answer=closed reason="TLS handshake on a plain-text port`);

    // The OTLP/gRPC exporter pointed at the OTLP/HTTP port.
    await expect(exportSpans(daemon.httpEndpoint, 'checkout', errorSpans(1))).rejects.toThrow();
    expect(await logLine(daemon, /warn wrong protocol port=otlp_http/)).toMatch(
      /peer=127\.0\.0\.1:\d+ answer=closed reason="HTTP\/2 \(gRPC\) on the OTLP\/HTTP port: .*OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf"/,
    );

    const client = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure());
    const identity = (value: Buffer) => value;
    await new Promise<void>((resolve) =>
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, Buffer.from([0x0a, 0xff]), () => resolve()),
    );
    client.close();
    expect(await logLine(daemon, /warn export undecodable port=otlp_grpc/)).toMatch(
      /signal=traces peer=127\.0\.0\.1:\d+ answer=INVALID_ARGUMENT reason="cannot decode ExportTraceServiceRequest: /,
    );
  });

  it('with OTLP/HTTP off, answers HTTP/1.1 on the gRPC port 404 naming the fix and logs it', async () => {
    daemon = await startDaemon(workspace);
    const response = await fetch(`http://${daemon.otlpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toMatch(/OTLP\/HTTP is turned off .*OTEL_EXPORTER_OTLP_PROTOCOL=grpc/);
    expect(await logLine(daemon, /warn wrong protocol port=otlp_grpc/)).toMatch(/peer=127\.0\.0\.1:\d+ answer=404 reason="this port speaks OTLP\/gRPC/);
    // gRPC on the same port is untouched.
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(2));
  });

  it('follows service.telemetry.logs.level: debug adds a line per connection naming its protocol', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, 'service:\n  telemetry:\n    logs:\n      level: debug\n    metrics:\n      level: none', { http: true }));
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(1));
    await fetch(`http://${daemon.otlpEndpoint}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(await logLine(daemon, /debug connection port=otlp_grpc protocol=http2 peer=127\.0\.0\.1:\d+/)).toBeDefined();
    expect(await logLine(daemon, /debug connection port=otlp_grpc protocol=http1 peer=127\.0\.0\.1:\d+/)).toBeDefined();
  });
});
