import { describe, expect, it } from 'vitest';
import { MAX_METADATA_CHARS, MAX_METADATA_KEYS } from '../event-metadata.js';
import { encodeWith, otlpTypes } from '../../test/helpers/receiver/otlp-oracle.js';
import { type AttributeValue, attributes, idBytes, nanos } from '../../test/helpers/receiver/trace-fixtures.js';
import { lenField, stringField, varintField } from '../../test/helpers/receiver/wire-builder.js';
import { DecodeError } from '../wire/decode-error.js';
import { decodeLogsRequest } from './decode-logs.js';
import { createLogConverter } from './log-converter.js';
import { createLogConverterOptions, type LogConverterOptionsInput } from './log-converter-options.js';

const types = otlpTypes();
const TIME_MS = 1_700_000_000_000;

function logsRequest(records: Record<string, unknown>[], resourceAttributes: Record<string, AttributeValue> = { 'service.name': 'api' }): Buffer {
  return encodeWith(types.LogsRequest, {
    resourceLogs: [{ resource: { attributes: attributes(resourceAttributes) }, scopeLogs: [{ scope: { name: 't' }, logRecords: records }] }],
  });
}

function convert(records: Record<string, unknown>[], options: LogConverterOptionsInput = {}) {
  return decodeLogsRequest(logsRequest(records), createLogConverter(createLogConverterOptions(options))).drafts;
}

const error = (extra: Record<string, unknown> = {}) => ({
  timeUnixNano: nanos(TIME_MS),
  severityNumber: 17,
  severityText: 'ERROR',
  body: { stringValue: 'payment failed' },
  ...extra,
});

describe('log record → event', () => {
  it('converts an ERROR record with the defaults', () => {
    // prepare
    const record = error({ traceId: idBytes(16, 1), spanId: idBytes(8, 1), attributes: attributes({ 'http.route': '/pay' }) });
    // act
    const drafts = convert([record]);
    // verify
    expect(drafts).toEqual([
      {
        timestamp: TIME_MS,
        event_type: 'error',
        source: 'api',
        severity: 'high',
        message: 'payment failed',
        metadata: { severity_text: 'ERROR', severity_number: 17, 'http.route': '/pay' },
        correlation_id: Buffer.from(idBytes(16, 1)).toString('hex'),
        span_id: Buffer.from(idBytes(8, 1)).toString('hex'),
      },
    ]);
  });

  it.each([
    [1, null],
    [9, null],
    [13, null],
    [16, null],
    [17, 'high'],
    [20, 'high'],
    [21, 'critical'],
    [24, 'critical'],
  ])('severity_number %d → %s', (severityNumber, severity) => {
    const drafts = convert([error({ severityNumber })]);
    expect(drafts.map((draft) => draft.severity)).toEqual(severity === null ? [] : [severity]);
  });

  it('honours a lowered or raised minimum, and severity texts when the number is unspecified', () => {
    expect(convert([error({ severityNumber: 13 })], { minSeverityNumber: 13 }).map((d) => d.severity)).toEqual(['medium']);
    expect(convert([error({ severityNumber: 17 })], { minSeverityNumber: 21 })).toEqual([]);
    const byText = convert([
      error({ severityNumber: 0, severityText: 'error' }),
      error({ severityNumber: 0, severityText: 'Fatal' }),
      error({ severityNumber: 0, severityText: 'CRITICAL' }),
      error({ severityNumber: 0, severityText: 'warning' }),
      error({ severityNumber: 0, severityText: 'something else entirely' }),
      error({ severityNumber: 0, severityText: '' }),
    ]);
    expect(byText.map((draft) => [draft.severity, draft.metadata.severity_text])).toEqual([
      ['high', 'error'],
      ['critical', 'Fatal'],
      ['critical', 'CRITICAL'],
    ]);
  });

  it('takes the event type from firewatch.event_type, then the event name, then exception.type, then the default', () => {
    const drafts = convert([
      error({ attributes: attributes({ 'firewatch.event_type': 'workflow_failed', 'event.name': 'x', 'exception.type': 'E' }), eventName: 'y' }),
      error({ attributes: attributes({ 'event.name': 'attr.event', 'exception.type': 'E' }), eventName: 'field.event' }),
      error({ attributes: attributes({ 'event.name': 'attr.event', 'exception.type': 'E' }) }),
      error({ attributes: attributes({ 'exception.type': 'TimeoutError' }) }),
      error(),
    ]);
    expect(drafts.map((draft) => draft.event_type)).toEqual(['workflow_failed', 'field.event', 'attr.event', 'TimeoutError', 'error']);
    expect(convert([error()], { defaultEventType: 'log_error' })[0]!.event_type).toBe('log_error');
  });

  it("reads pino's serialized err (a JSON string attribute) for the event type, message and metadata", () => {
    // prepare: what pino-opentelemetry-transport sends for logger.error(err) and logger.error({ err }, 'msg')
    const err = (fields: Record<string, unknown>) => attributes({ err: JSON.stringify(fields) });
    const stack = 'CardDeclinedError: card declined\n    at charge (/app/pay.js:10:5)';
    // act
    const drafts = convert([
      error({ body: undefined, attributes: err({ type: 'CardDeclinedError', message: 'card declined', stack, code: 'E42' }) }),
      error({ attributes: err({ name: 'TimeoutError', message: 'upstream timed out' }) }),
      error({ attributes: attributes({ err: JSON.stringify({ type: 'CardDeclinedError' }), 'exception.type': 'Explicit' }) }),
      error({ attributes: attributes({ err: '{"type": 42, "message": ["not text"]}' }) }),
      error({ attributes: attributes({ err: 'not json at all' }) }),
    ]);
    // verify
    expect(drafts.map((draft) => [draft.event_type, draft.message])).toEqual([
      ['CardDeclinedError', 'card declined'],
      ['TimeoutError', 'payment failed'],
      ['Explicit', 'payment failed'],
      ['error', 'payment failed'],
      ['error', 'payment failed'],
    ]);
    expect(drafts[0]!.metadata).toMatchObject({ 'exception.type': 'CardDeclinedError', 'exception.message': 'card declined', 'exception.stacktrace': stack });
    expect(drafts[2]!.metadata['exception.type']).toBe('Explicit');
  });

  it('makes any record with firewatch.event_type an event, and applies firewatch.severity', () => {
    const drafts = convert([
      { severityNumber: 9, body: { stringValue: 'checked' }, attributes: attributes({ 'firewatch.event_type': 'quality_check_failed' }) },
      { severityNumber: 9, attributes: attributes({ 'firewatch.event_type': 'quality_check_failed', 'firewatch.severity': 'CRITICAL' }) },
      error({ attributes: attributes({ 'firewatch.severity': 'low' }) }),
      error({ attributes: attributes({ 'firewatch.severity': 'catastrophic' }) }),
      { severityNumber: 9, attributes: attributes({ 'firewatch.event_type': '' }) },
    ]);
    expect(drafts.map((draft) => [draft.event_type, draft.severity])).toEqual([
      ['quality_check_failed', 'medium'],
      ['quality_check_failed', 'critical'],
      ['error', 'low'],
      ['error', 'high'],
      ['error', 'medium'],
    ]);
    const ignored = convert(
      [{ severityNumber: 9, attributes: attributes({ 'firewatch.event_type': 'quality_check_failed' }) }, error({ attributes: attributes({ 'firewatch.severity': 'low' }) })],
      { honourFirewatchAttributes: false },
    );
    expect(ignored.map((draft) => [draft.event_type, draft.severity])).toEqual([['error', 'high']]);
  });

  it('renders every body kind as the message, bounded', () => {
    const bodies: [Record<string, unknown>, string][] = [
      [{ stringValue: 'plain text' }, 'plain text'],
      [{ intValue: -42 }, '-42'],
      [{ doubleValue: 2.5 }, '2.5'],
      [{ boolValue: false }, 'false'],
      [{ bytesValue: Buffer.from('hi') }, 'aGk='],
      [{ bytesValue: Buffer.alloc(100) }, '<100 bytes>'],
      [{ arrayValue: { values: [{ stringValue: 'a"b' }, { intValue: 1 }, {}] } }, '["a\\"b",1,null]'],
      [
        { kvlistValue: { values: [{ key: 'user', value: { stringValue: 'ada' } }, { key: 'tags', value: { arrayValue: { values: [{ boolValue: true }] } } }, { key: 'nothing' }] } },
        '{"user":"ada","tags":[true],"nothing":null}',
      ],
    ];
    const drafts = convert(bodies.map(([body]) => error({ body })));
    expect(drafts.map((draft) => draft.message)).toEqual(bodies.map(([, message]) => message));
    const long = convert([error({ body: { stringValue: 'x'.repeat(5000) } })])[0]!;
    expect(long.message).toHaveLength(1024);
    const wide = convert([error({ body: { arrayValue: { values: Array.from({ length: 3000 }, (_, i) => ({ intValue: i })) } } })])[0]!;
    expect(wide.message.length).toBeLessThanOrEqual(1024);
    expect(wide.message.endsWith('…')).toBe(true);
  });

  it('renders deeply nested bodies to a bounded depth without recursing into all of it', () => {
    // protobufjs refuses to encode this deep, so the bytes are built by hand.
    let body = stringField(1, 'core');
    for (let i = 0; i < 200; i++) body = lenField(5, lenField(1, body));
    const request = lenField(1, lenField(2, lenField(2, varintField(2, 17), lenField(5, body))));
    const message = decodeLogsRequest(request).drafts[0]!.message;
    expect(message).toBe(`${'['.repeat(8)}…${']'.repeat(8)}`);
  });

  it('falls back to exception.message, then severity_text, for the message', () => {
    const drafts = convert([
      error({ body: undefined, attributes: attributes({ 'exception.message': 'socket hang up' }) }),
      error({ body: { stringValue: '' }, attributes: attributes({ 'exception.message': 'socket hang up' }) }),
      error({ body: undefined }),
      { severityNumber: 17 },
    ]);
    expect(drafts.map((draft) => draft.message)).toEqual(['socket hang up', 'socket hang up', 'ERROR', 'error log record (severity 17)']);
  });

  it('uses time_unix_nano, else observed_time_unix_nano, else 0', () => {
    const drafts = convert([
      error({ timeUnixNano: nanos(TIME_MS, 999_999), observedTimeUnixNano: nanos(TIME_MS + 5) }),
      error({ timeUnixNano: '0', observedTimeUnixNano: nanos(TIME_MS + 5) }),
      error({ timeUnixNano: '0' }),
    ]);
    expect(drafts.map((draft) => draft.timestamp)).toEqual([TIME_MS, TIME_MS + 5, 0]);
  });

  it('leaves IDs empty when absent or all zero', () => {
    const drafts = convert([error({ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }), error()]);
    expect(drafts.map((draft) => [draft.correlation_id, draft.span_id])).toEqual([
      ['', ''],
      ['', ''],
    ]);
  });

  it('carries users, sessions and exception details in metadata, and bounds it', () => {
    const many: Record<string, AttributeValue> = {};
    for (let i = 0; i < 100; i++) many[`attr.${i}`] = i % 2 === 0 ? `value ${i}` : i;
    const draft = convert([
      error({
        eventName: 'checkout.failed',
        attributes: attributes({
          'exception.type': 'CardDeclined',
          'exception.message': 'insufficient funds',
          'enduser.id': 'ada',
          'user.id': 'u-1',
          'session.id': 's-9',
          'long.value': 'v'.repeat(1000),
          ['k'.repeat(200)]: 'too long a key',
          __proto__: 'sneaky',
          ...many,
        }),
      }),
    ])[0]!;
    expect(draft.metadata).toMatchObject({
      severity_text: 'ERROR',
      severity_number: 17,
      'event.name': 'checkout.failed',
      'exception.type': 'CardDeclined',
      'exception.message': 'insufficient funds',
      'enduser.id': 'ada',
      'user.id': 'u-1',
      'session.id': 's-9',
      'attr.0': 'value 0',
      'attr.1': 1,
    });
    expect(draft.metadata['long.value']).toHaveLength(256);
    expect(Object.keys(draft.metadata)).toHaveLength(MAX_METADATA_KEYS);
    expect(Object.keys(draft.metadata)).not.toContain('k'.repeat(200));
    expect(Object.getPrototypeOf(draft.metadata)).toBe(Object.prototype);
  });

  it('bounds the metadata of one event in characters too, keeping the converter\'s own facts', () => {
    // 32 attributes of 256 characters each would be ~8 KB per event; a ring of 100,000 such events ~1 GB.
    const wide: Record<string, AttributeValue> = {};
    for (let i = 0; i < 40; i++) wide[`wide.attribute.${i}`] = String(i).padEnd(256, 'x');
    const draft = convert([error({ eventName: 'checkout.failed', attributes: attributes({ 'enduser.id': 'ada', ...wide }) })])[0]!;
    const chars = Object.entries(draft.metadata).reduce((sum, [key, value]) => sum + key.length + (typeof value === 'string' ? value.length : 8), 0);
    expect(chars).toBeLessThanOrEqual(MAX_METADATA_CHARS);
    expect(draft.metadata).toMatchObject({ severity_text: 'ERROR', severity_number: 17, 'event.name': 'checkout.failed', 'enduser.id': 'ada' });
    expect(draft.metadata['wide.attribute.0']).toBe('0'.padEnd(256, 'x'));
  });

  it('uses unknown_service without a service.name', () => {
    const drafts = decodeLogsRequest(logsRequest([error()], { 'host.name': 'h' })).drafts;
    expect(drafts[0]!.source).toBe('unknown_service');
  });

  it('throws DecodeError when the body of a converted record is malformed, but not for an ordinary one', () => {
    const bad = { stringValue: 'x' };
    const good = logsRequest([error({ body: bad })]);
    // Corrupt the body's AnyValue: turn its string_value tag (0x0a) into a tag with wire type 7.
    const at = good.indexOf(Buffer.from([0x0a, 0x01, 0x78]));
    const corrupt = Buffer.from(good);
    corrupt[at] = 0x0f;
    expect(() => decodeLogsRequest(corrupt)).toThrow(DecodeError);
    const infoCorrupt = Buffer.from(logsRequest([{ severityNumber: 9, body: bad }]));
    infoCorrupt[infoCorrupt.indexOf(Buffer.from([0x0a, 0x01, 0x78]))] = 0x0f;
    expect(decodeLogsRequest(infoCorrupt).logRecords).toBe(1);
  });
});
