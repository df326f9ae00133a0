// Overload end to end: the real daemon with a small admission budget, flooded over one connection, must refuse
// what it cannot take at once with a retryable answer (UNAVAILABLE + RetryInfo), never queue it or fail it
// otherwise, and still take a small error burst from an application (the real SDK on its own connection) and open
// its incident. One request of many error spans is accepted only up to max_events_per_export, the rest rejected
// through partial_success.

import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from '../../control/client.js';
import { TRACE_EXPORT_PATH } from '../../receiver/grpc-receiver.js';
import { decodeWith, encodeWith, otlpTypes } from '../helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../helpers/receiver/trace-fixtures.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

const types = otlpTypes();
/** google.rpc.Status with its details as google.protobuf.Any (googleapis/google/rpc/status.proto). */
const RPC_STATUS = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'))
  .add(new protobuf.Field('details', 3, 'Any', 'repeated'))
  .add(new protobuf.Type('Any').add(new protobuf.Field('type_url', 1, 'string')).add(new protobuf.Field('value', 2, 'bytes')));
const identity = (value: Buffer) => value;

function configWith(workspace: string, admission: string): string {
  const file = join(workspace, 'otel-config.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      grpc:',
      '        endpoint: 127.0.0.1:0',
      '        max_recv_msg_size_mib: 16',
      '    admission:',
      ...admission.split('\n').map((line) => `      ${line}`),
      'storage:',
      `  directory: ${JSON.stringify(join(workspace, 'data'))}`,
      'service:',
      '  telemetry:',
      '    metrics:',
      '      endpoint: 127.0.0.1:0',
    ].join('\n'),
  );
  return file;
}

function call(client: grpc.Client, body: Buffer): Promise<{ error: grpc.ServiceError | null; response: Buffer | undefined }> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(TRACE_EXPORT_PATH, identity, identity, body, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, response) =>
      resolve({ error: error ?? null, response }),
    ),
  );
}

describe('overload: refuse early and retryably, keep detecting', () => {
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

  it('answers a flood OK or UNAVAILABLE with RetryInfo only, and still opens the incident of an SDK error burst', async () => {
    daemon = await startDaemon(workspace, configWith(workspace, 'max_in_flight_items: 150\nretry_after_seconds: 2'));
    const flood = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure());
    try {
      const bodies = Array.from({ length: 60 }, (_, seed) =>
        encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 100, errorRate: 0.02, seed: seed + 1, service: 'flood', startMs: Date.now() })),
      );
      const floodAnswers = Promise.all(bodies.map((body) => call(flood, body)));
      // An application's error burst, on its own connection, in the middle of it.
      await exportSpans(daemon.otlpEndpoint, 'canary-checkout', errorSpans(12));
      const answers = await floodAnswers;

      const codes = answers.map((answer) => answer.error?.code ?? grpc.status.OK);
      expect(new Set(codes)).toEqual(new Set([grpc.status.OK, grpc.status.UNAVAILABLE]));
      for (const answer of answers.filter((a) => a.error !== null)) {
        const details = answer.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
        const status = RPC_STATUS.toObject(RPC_STATUS.decode(details)) as { code: number; details: { type_url: string }[] };
        expect(status.code).toBe(grpc.status.UNAVAILABLE);
        expect(status.details.map((detail) => detail.type_url)).toEqual(['type.googleapis.com/google.rpc.RetryInfo']);
      }
      const listed = await eventually(async () => {
        const result = await runCli(['incidents', 'list', '--component', 'canary-checkout', '--format', 'json', '--socket', daemon!.socket]);
        const incidents = JSON.parse(result.stdout) as unknown[];
        return incidents.length > 0 ? incidents : undefined;
      });
      expect(listed).toHaveLength(1);
      const metrics = await (await fetch(`http://${daemon.metricsEndpoint}/metrics`)).text();
      const refused = codes.filter((code) => code === grpc.status.UNAVAILABLE).length;
      expect(metrics).toContain(`firewatch_receiver_refused_exports_total{signal="traces"} ${refused}`);
    } finally {
      flood.close();
    }
  });

  it('accepts one huge export only up to max_events_per_export and rejects the rest through partial_success', async () => {
    daemon = await startDaemon(workspace, configWith(workspace, 'max_events_per_export: 1000'));
    const client = new grpc.Client(daemon.otlpEndpoint, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    try {
      const body = encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 3000, errorRate: 1, seed: 5, service: 'huge', startMs: Date.now() }));
      const answer = await call(client, body);
      expect(answer.error).toBeNull();
      const response = decodeWith(types.TraceResponse, answer.response!) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(response.partialSuccess.rejectedSpans).toBe('2000');
      expect(response.partialSuccess.errorMessage).toMatch(/more than 1000 events in one export \(max_events_per_export\)/);
      const control = connectControl(daemon.socket);
      try {
        expect(await control.status()).toMatchObject({ spans_received: 1000, spans_rejected: 2000, events_accepted: 1000 });
      } finally {
        control.close();
      }
    } finally {
      client.close();
    }
  });
});
