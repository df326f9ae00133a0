// The independent decoder/encoder the tests and benchmarks check our wire scanners against: protobufjs, reflecting
// over the .proto files in proto/. Test oracle only — never on the receiver's path.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const SERVICE_PROTOS = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
];

/** proto/ of this checkout, found upwards from this file (it runs from the source tree and from dist/). */
export function protoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, SERVICE_PROTOS[0]!))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find proto/opentelemetry next to the sources');
    dir = parent;
  }
}

export interface OtlpTypes {
  root: protobuf.Root;
  TraceRequest: protobuf.Type;
  TraceResponse: protobuf.Type;
  LogsRequest: protobuf.Type;
  LogsResponse: protobuf.Type;
  MetricsRequest: protobuf.Type;
  MetricsResponse: protobuf.Type;
}

let cached: OtlpTypes | undefined;

export function otlpTypes(): OtlpTypes {
  if (cached !== undefined) return cached;
  const base = protoRoot();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(base, target);
  root.loadSync(SERVICE_PROTOS);
  root.resolveAll();
  const type = (name: string): protobuf.Type => root.lookupType(name);
  cached = {
    root,
    TraceRequest: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    TraceResponse: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    LogsRequest: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    LogsResponse: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
    MetricsRequest: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    MetricsResponse: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
  };
  return cached;
}

/** Encodes a plain object (protobufjs' fromObject conventions: camelCase fields, bytes as Uint8Array). */
export function encodeWith(type: protobuf.Type, object: Record<string, unknown>): Buffer {
  const bytes = type.encode(type.fromObject(object)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes to a plain object: longs as decimal strings, bytes as Buffers, defaults filled, oneofs named. */
export function decodeWith(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: Buffer, defaults: true, oneofs: true }) as Record<
    string,
    unknown
  >;
}
