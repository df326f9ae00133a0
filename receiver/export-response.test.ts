import protobuf from 'protobufjs';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { BackpressureError } from './consumer.js';
import { encodeExportResponse } from './export-response.js';
import { encodeRetryStatusDetails, exportFailureOf } from './export-status.js';
import { decodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { DecodeError } from './wire/decode-error.js';

const types = otlpTypes();

describe('encodeExportResponse', () => {
  it('is the empty message on full success', () => {
    expect(encodeExportResponse(0, '').length).toBe(0);
  });

  it.each([
    ['traces', types.TraceResponse, 'rejectedSpans'],
    ['logs', types.LogsResponse, 'rejectedLogRecords'],
    ['metrics', types.MetricsResponse, 'rejectedDataPoints'],
  ])('decodes as a %s partial success', (_signal, type, field) => {
    const decoded = decodeWith(type, encodeExportResponse(3, 'span 0 in resource 0: trace_id must be 16 bytes, got 5'));
    expect(decoded.partialSuccess).toEqual({ [field]: '3', errorMessage: 'span 0 in resource 0: trace_id must be 16 bytes, got 5' });
  });

  it('carries a warning without rejections, and large counts', () => {
    expect(decodeWith(types.TraceResponse, encodeExportResponse(0, 'careful')).partialSuccess).toEqual({
      rejectedSpans: '0',
      errorMessage: 'careful',
    });
    expect(decodeWith(types.TraceResponse, encodeExportResponse(2 ** 40, 'x')).partialSuccess).toMatchObject({
      rejectedSpans: String(2 ** 40),
    });
  });
});

describe('exportFailureOf', () => {
  it('maps DecodeError to INVALID_ARGUMENT / 400 with the position', () => {
    const failure = exportFailureOf(new DecodeError('truncated varint', 57), 'ExportTraceServiceRequest');
    expect(failure).toMatchObject({ kind: 'bad_request', grpcCode: status.INVALID_ARGUMENT, httpStatus: 400 });
    expect(failure.message).toBe('cannot decode ExportTraceServiceRequest: truncated varint at byte 57');
  });

  it('maps BackpressureError to UNAVAILABLE / 503 with its retry hint', () => {
    expect(exportFailureOf(new BackpressureError('busy', 1500), 'x')).toMatchObject({
      kind: 'backpressure',
      grpcCode: status.UNAVAILABLE,
      httpStatus: 503,
      message: 'busy',
      retryAfterMs: 1500,
    });
  });

  it('maps anything else to INTERNAL / 500 without leaking its message', () => {
    const failure = exportFailureOf(new Error('EACCES /var/lib/firewatch/data.mdb'), 'ExportLogsServiceRequest');
    expect(failure).toMatchObject({ kind: 'internal', grpcCode: status.INTERNAL, httpStatus: 500 });
    expect(failure.message).not.toContain('EACCES');
  });
});

describe('encodeRetryStatusDetails', () => {
  it('is a google.rpc.Status carrying a RetryInfo', () => {
    const root = protobuf.Root.fromJSON({
      nested: {
        Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
        Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
        RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
        Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      },
    });
    const decoded = decodeWith(root.lookupType('Status'), encodeRetryStatusDetails(status.UNAVAILABLE, 'busy', 2500)) as {
      code: number;
      message: string;
      details: { typeUrl: string; value: Buffer }[];
    };
    expect(decoded.code).toBe(status.UNAVAILABLE);
    expect(decoded.message).toBe('busy');
    expect(decoded.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(decodeWith(root.lookupType('RetryInfo'), decoded.details[0]!.value)).toEqual({
      retryDelay: { seconds: '2', nanos: 500_000_000 },
    });
  });
});
