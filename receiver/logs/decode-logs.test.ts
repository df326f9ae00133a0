import { describe, expect, it } from 'vitest';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { attributes, idBytes, nanos } from '../../test/helpers/receiver/trace-fixtures.js';
import { fixed64Field, lenField, stringField, varintField } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeLogsRequest } from './decode-logs.js';
import { type LogRecordViewFast, scanLogsRequest } from './logs-scanner.js';

const types = otlpTypes();

function logRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timeUnixNano: nanos(1_700_000_000_000),
    observedTimeUnixNano: nanos(1_700_000_000_001),
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: 'payment failed' },
    attributes: attributes({ 'exception.type': 'CardDeclined' }),
    traceId: idBytes(16, 1),
    spanId: idBytes(8, 1),
    eventName: 'payment.failed',
    ...overrides,
  };
}

function logsRequest(...resources: Record<string, unknown>[][][]): Buffer {
  return encodeWith(types.LogsRequest, {
    resourceLogs: resources.map((scopes, i) => ({
      resource: { attributes: attributes({ 'service.name': `svc-${i}` }) },
      scopeLogs: scopes.map((logRecords) => ({ scope: { name: 'test' }, logRecords })),
    })),
  });
}

describe('decodeLogsRequest', () => {
  it('counts log records across resources and scopes', () => {
    const info = logRecord({ severityNumber: 9, severityText: 'INFO' });
    const result = decodeLogsRequest(logsRequest([[info, info], [info]], [[info]]));
    expect(result).toEqual({ drafts: [], logRecords: 4, rejected: 0, errorMessage: '', services: ['svc-0', 'svc-1'] });
  });

  it('accepts records without trace context', () => {
    const result = decodeLogsRequest(logsRequest([[logRecord({ traceId: new Uint8Array(0), spanId: new Uint8Array(0) })]]));
    expect(result.logRecords).toBe(1);
  });

  it('rejects records whose present IDs have the wrong length, and accepts the rest', () => {
    const result = decodeLogsRequest(
      logsRequest([[logRecord(), logRecord({ traceId: idBytes(15, 2) })]], [[logRecord({ spanId: idBytes(9, 2) })]]),
    );
    expect(result.logRecords).toBe(1);
    expect(result.rejected).toBe(2);
    expect(result.errorMessage).toBe(
      'log record 1 in resource 0: trace_id must be empty or 16 bytes, got 15 (and 1 more rejected log record)',
    );
  });

  it('shows each record to the visitor with its fields', () => {
    const seen: string[] = [];
    scanLogsRequest(logsRequest([[logRecord()]]), {
      resource(resource) {
        seen.push(`resource ${resource.serviceName}`);
      },
      logRecord(record: LogRecordViewFast) {
        seen.push(
          `${record.severityNumber} ${record.severityText(10)} ${record.eventName(30)} ${record.traceIdHex().length} ` +
            `${record.spanIdHex().length} ${record.bodyEnd - record.bodyStart} ${record.attributeCount}`,
        );
      },
      rejectedLogRecord() {},
    });
    expect(seen).toEqual(['resource svc-0', '17 ERROR payment.failed 32 16 16 1']);
  });

  it('throws DecodeError on a malformed record', () => {
    const record = Buffer.concat([fixed64Field(1, 1n), varintField(2, 17), stringField(3, 'ERROR')]);
    const truncated = lenField(1, lenField(2, lenField(2, record.subarray(0, 5))));
    expect(() => decodeLogsRequest(truncated)).toThrow(DecodeError);
  });
});
