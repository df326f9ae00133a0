// The OTLP messages as the JSON transcoder needs them: field numbers and types from proto/opentelemetry (v1), by JSON
// name. Written by hand from the .proto files (they change rarely and additively; a test checks every field here
// against protobufjs' reflection of proto/). Unknown JSON fields are ignored, as OTLP/JSON requires.
// https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding

export type FieldType =
  | 'string'
  | 'bytes'
  /** trace_id / span_id / parent_span_id: hex in OTLP/JSON, not base64. */
  | 'hexid'
  | 'bool'
  | 'double'
  | 'int64'
  | 'uint64'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'fixed64'
  | 'sfixed64'
  | 'fixed32'
  | 'enum'
  | 'message';

export interface FieldDef {
  /** lowerCamelCase JSON name. */
  readonly name: string;
  readonly number: number;
  readonly type: FieldType;
  readonly repeated: boolean;
  /** Message fields: the message's name in MESSAGES. */
  readonly messageName?: string;
  /** Message fields: the message itself (resolved once all are built). */
  readonly message?: MessageDef;
  /** Enum fields: value names → numbers (integers are accepted too). */
  readonly enumValues?: Readonly<Record<string, number>>;
}

export interface MessageDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
  /** By lowerCamelCase and by original snake_case name. */
  readonly byJsonName: ReadonlyMap<string, FieldDef>;
}

type FieldSpec = [name: string, number: number, type: FieldType, options?: { repeated?: boolean; message?: string; enum?: Record<string, number> }];

function enumOf(prefix: string, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((name, value) => [`${prefix}${name}`, value]));
}

const SPAN_KIND = enumOf('SPAN_KIND_', ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
const STATUS_CODE = enumOf('STATUS_CODE_', ['UNSET', 'OK', 'ERROR']);
const TEMPORALITY = enumOf('AGGREGATION_TEMPORALITY_', ['UNSPECIFIED', 'DELTA', 'CUMULATIVE']);
const SEVERITY_NUMBER: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  SEVERITY_NUMBER[`SEVERITY_NUMBER_${level}`] = i * 4 + 1;
  for (let n = 2; n <= 4; n++) SEVERITY_NUMBER[`SEVERITY_NUMBER_${level}${n}`] = i * 4 + n;
});

const rep = { repeated: true };
const msg = (message: string) => ({ message });
const reps = (message: string) => ({ repeated: true, message });

const SPECS: Record<string, FieldSpec[]> = {
  // common.proto
  AnyValue: [
    ['stringValue', 1, 'string'],
    ['boolValue', 2, 'bool'],
    ['intValue', 3, 'int64'],
    ['doubleValue', 4, 'double'],
    ['arrayValue', 5, 'message', msg('ArrayValue')],
    ['kvlistValue', 6, 'message', msg('KeyValueList')],
    ['bytesValue', 7, 'bytes'],
  ],
  ArrayValue: [['values', 1, 'message', reps('AnyValue')]],
  KeyValueList: [['values', 1, 'message', reps('KeyValue')]],
  KeyValue: [
    ['key', 1, 'string'],
    ['value', 2, 'message', msg('AnyValue')],
  ],
  InstrumentationScope: [
    ['name', 1, 'string'],
    ['version', 2, 'string'],
    ['attributes', 3, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 4, 'uint32'],
  ],
  EntityRef: [
    ['schemaUrl', 1, 'string'],
    ['type', 2, 'string'],
    ['idKeys', 3, 'string', rep],
    ['descriptionKeys', 4, 'string', rep],
  ],
  // resource.proto
  Resource: [
    ['attributes', 1, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 2, 'uint32'],
    ['entityRefs', 3, 'message', reps('EntityRef')],
  ],
  // trace.proto, trace_service.proto
  ExportTraceServiceRequest: [['resourceSpans', 1, 'message', reps('ResourceSpans')]],
  ResourceSpans: [
    ['resource', 1, 'message', msg('Resource')],
    ['scopeSpans', 2, 'message', reps('ScopeSpans')],
    ['schemaUrl', 3, 'string'],
  ],
  ScopeSpans: [
    ['scope', 1, 'message', msg('InstrumentationScope')],
    ['spans', 2, 'message', reps('Span')],
    ['schemaUrl', 3, 'string'],
  ],
  Span: [
    ['traceId', 1, 'hexid'],
    ['spanId', 2, 'hexid'],
    ['traceState', 3, 'string'],
    ['parentSpanId', 4, 'hexid'],
    ['flags', 16, 'fixed32'],
    ['name', 5, 'string'],
    ['kind', 6, 'enum', { enum: SPAN_KIND }],
    ['startTimeUnixNano', 7, 'fixed64'],
    ['endTimeUnixNano', 8, 'fixed64'],
    ['attributes', 9, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 10, 'uint32'],
    ['events', 11, 'message', reps('SpanEvent')],
    ['droppedEventsCount', 12, 'uint32'],
    ['links', 13, 'message', reps('SpanLink')],
    ['droppedLinksCount', 14, 'uint32'],
    ['status', 15, 'message', msg('Status')],
  ],
  SpanEvent: [
    ['timeUnixNano', 1, 'fixed64'],
    ['name', 2, 'string'],
    ['attributes', 3, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 4, 'uint32'],
  ],
  SpanLink: [
    ['traceId', 1, 'hexid'],
    ['spanId', 2, 'hexid'],
    ['traceState', 3, 'string'],
    ['attributes', 4, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 5, 'uint32'],
    ['flags', 6, 'fixed32'],
  ],
  Status: [
    ['message', 2, 'string'],
    ['code', 3, 'enum', { enum: STATUS_CODE }],
  ],
  // logs.proto, logs_service.proto
  ExportLogsServiceRequest: [['resourceLogs', 1, 'message', reps('ResourceLogs')]],
  ResourceLogs: [
    ['resource', 1, 'message', msg('Resource')],
    ['scopeLogs', 2, 'message', reps('ScopeLogs')],
    ['schemaUrl', 3, 'string'],
  ],
  ScopeLogs: [
    ['scope', 1, 'message', msg('InstrumentationScope')],
    ['logRecords', 2, 'message', reps('LogRecord')],
    ['schemaUrl', 3, 'string'],
  ],
  LogRecord: [
    ['timeUnixNano', 1, 'fixed64'],
    ['observedTimeUnixNano', 11, 'fixed64'],
    ['severityNumber', 2, 'enum', { enum: SEVERITY_NUMBER }],
    ['severityText', 3, 'string'],
    ['body', 5, 'message', msg('AnyValue')],
    ['attributes', 6, 'message', reps('KeyValue')],
    ['droppedAttributesCount', 7, 'uint32'],
    ['flags', 8, 'fixed32'],
    ['traceId', 9, 'hexid'],
    ['spanId', 10, 'hexid'],
    ['eventName', 12, 'string'],
  ],
  // metrics.proto, metrics_service.proto
  ExportMetricsServiceRequest: [['resourceMetrics', 1, 'message', reps('ResourceMetrics')]],
  ResourceMetrics: [
    ['resource', 1, 'message', msg('Resource')],
    ['scopeMetrics', 2, 'message', reps('ScopeMetrics')],
    ['schemaUrl', 3, 'string'],
  ],
  ScopeMetrics: [
    ['scope', 1, 'message', msg('InstrumentationScope')],
    ['metrics', 2, 'message', reps('Metric')],
    ['schemaUrl', 3, 'string'],
  ],
  Metric: [
    ['name', 1, 'string'],
    ['description', 2, 'string'],
    ['unit', 3, 'string'],
    ['gauge', 5, 'message', msg('Gauge')],
    ['sum', 7, 'message', msg('Sum')],
    ['histogram', 9, 'message', msg('Histogram')],
    ['exponentialHistogram', 10, 'message', msg('ExponentialHistogram')],
    ['summary', 11, 'message', msg('Summary')],
    ['metadata', 12, 'message', reps('KeyValue')],
  ],
  Gauge: [['dataPoints', 1, 'message', reps('NumberDataPoint')]],
  Sum: [
    ['dataPoints', 1, 'message', reps('NumberDataPoint')],
    ['aggregationTemporality', 2, 'enum', { enum: TEMPORALITY }],
    ['isMonotonic', 3, 'bool'],
  ],
  Histogram: [
    ['dataPoints', 1, 'message', reps('HistogramDataPoint')],
    ['aggregationTemporality', 2, 'enum', { enum: TEMPORALITY }],
  ],
  ExponentialHistogram: [
    ['dataPoints', 1, 'message', reps('ExponentialHistogramDataPoint')],
    ['aggregationTemporality', 2, 'enum', { enum: TEMPORALITY }],
  ],
  Summary: [['dataPoints', 1, 'message', reps('SummaryDataPoint')]],
  NumberDataPoint: [
    ['attributes', 7, 'message', reps('KeyValue')],
    ['startTimeUnixNano', 2, 'fixed64'],
    ['timeUnixNano', 3, 'fixed64'],
    ['asDouble', 4, 'double'],
    ['asInt', 6, 'sfixed64'],
    ['exemplars', 5, 'message', reps('Exemplar')],
    ['flags', 8, 'uint32'],
  ],
  HistogramDataPoint: [
    ['attributes', 9, 'message', reps('KeyValue')],
    ['startTimeUnixNano', 2, 'fixed64'],
    ['timeUnixNano', 3, 'fixed64'],
    ['count', 4, 'fixed64'],
    ['sum', 5, 'double'],
    ['bucketCounts', 6, 'fixed64', rep],
    ['explicitBounds', 7, 'double', rep],
    ['exemplars', 8, 'message', reps('Exemplar')],
    ['flags', 10, 'uint32'],
    ['min', 11, 'double'],
    ['max', 12, 'double'],
  ],
  ExponentialHistogramDataPoint: [
    ['attributes', 1, 'message', reps('KeyValue')],
    ['startTimeUnixNano', 2, 'fixed64'],
    ['timeUnixNano', 3, 'fixed64'],
    ['count', 4, 'fixed64'],
    ['sum', 5, 'double'],
    ['scale', 6, 'sint32'],
    ['zeroCount', 7, 'fixed64'],
    ['positive', 8, 'message', msg('Buckets')],
    ['negative', 9, 'message', msg('Buckets')],
    ['flags', 10, 'uint32'],
    ['exemplars', 11, 'message', reps('Exemplar')],
    ['min', 12, 'double'],
    ['max', 13, 'double'],
    ['zeroThreshold', 14, 'double'],
  ],
  Buckets: [
    ['offset', 1, 'sint32'],
    ['bucketCounts', 2, 'uint64', rep],
  ],
  SummaryDataPoint: [
    ['attributes', 7, 'message', reps('KeyValue')],
    ['startTimeUnixNano', 2, 'fixed64'],
    ['timeUnixNano', 3, 'fixed64'],
    ['count', 4, 'fixed64'],
    ['sum', 5, 'double'],
    ['quantileValues', 6, 'message', reps('ValueAtQuantile')],
    ['flags', 8, 'uint32'],
  ],
  ValueAtQuantile: [
    ['quantile', 1, 'double'],
    ['value', 2, 'double'],
  ],
  Exemplar: [
    ['filteredAttributes', 7, 'message', reps('KeyValue')],
    ['timeUnixNano', 2, 'fixed64'],
    ['asDouble', 3, 'double'],
    ['asInt', 6, 'sfixed64'],
    ['spanId', 4, 'hexid'],
    ['traceId', 5, 'hexid'],
  ],
};

/** `startTimeUnixNano` → `start_time_unix_nano` (the .proto name, which protobuf JSON parsers also accept). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function build(): ReadonlyMap<string, MessageDef> {
  const messages = new Map<string, MessageDef>();
  for (const [name, specs] of Object.entries(SPECS)) {
    const fields: FieldDef[] = specs.map(([fieldName, number, type, options = {}]) => {
      const field: { -readonly [K in keyof FieldDef]: FieldDef[K] } = {
        name: fieldName,
        number,
        type,
        repeated: options.repeated === true,
      };
      if (options.message !== undefined) field.messageName = options.message;
      if (options.enum !== undefined) field.enumValues = options.enum;
      return field;
    });
    const byJsonName = new Map<string, FieldDef>();
    for (const field of fields) {
      byJsonName.set(field.name, field);
      byJsonName.set(snakeCase(field.name), field);
    }
    messages.set(name, { name, fields, byJsonName });
  }
  for (const message of messages.values()) {
    for (const field of message.fields) {
      if (field.messageName === undefined) continue;
      const target = messages.get(field.messageName);
      if (target === undefined) throw new Error(`otlp-json-schema: ${message.name}.${field.name} names unknown message ${field.messageName}`);
      (field as { message?: MessageDef }).message = target;
    }
  }
  return messages;
}

export const MESSAGES: ReadonlyMap<string, MessageDef> = build();

export function messageDef(name: string): MessageDef {
  const message = MESSAGES.get(name);
  if (message === undefined) throw new Error(`otlp-json-schema: unknown message ${name}`);
  return message;
}
