// OTLP/JSON → protobuf bytes, so that OTLP/HTTP JSON requests go through the very scanners and converters the
// protobuf paths use (one conversion code path, one set of tests for it), instead of a second decoder over objects.
//
//   body ─JSON.parse─▶ plain objects ─walk with otlp-json-schema.ts─▶ ByteWriter ─▶ protobuf Export*ServiceRequest
//
// OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) is the proto3 JSON mapping with three
// twists, all followed here: trace and span IDs are hex strings (not base64); enums are integers (names accepted
// too); field names are lowerCamelCase (the .proto snake_case names accepted too). Also per proto3 JSON: 64-bit
// integers as numbers or decimal strings, doubles as numbers or "NaN"/"Infinity"/"-Infinity", null = absent,
// unknown fields ignored. Anything else that does not fit the schema throws JsonDecodeError (a DecodeError, so the
// receivers answer 400 / INVALID_ARGUMENT) naming the JSON path, e.g. `resourceSpans[0].scopeSpans[0].spans[2].traceId`.
//
// Cost: JSON.parse dominates; the walk allocates only path bookkeeping and BigInts for string-encoded 64-bit fields.

import type { TelemetrySignal } from '../consumer.js';
import { ByteWriter } from '../wire/byte-writer.js';
import { DecodeError } from '../wire/decode-error.js';
import { WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../wire/proto-reader.js';
import { type FieldDef, type MessageDef, messageDef } from './otlp-json-schema.js';

/** Messages nested deeper than this (AnyValue inside AnyValue…) are refused rather than recursed into. */
export const MAX_JSON_NESTING = 64;
/** Longest JSON.parse complaint passed on to the client. */
const MAX_PARSE_MESSAGE_LENGTH = 200;

const REQUEST_MESSAGE: Readonly<Record<TelemetrySignal, string>> = {
  traces: 'ExportTraceServiceRequest',
  logs: 'ExportLogsServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
};

/** A JSON body that is not a valid OTLP/JSON request; `path` names where (empty for the body as a whole). */
export class JsonDecodeError extends DecodeError {
  readonly path: string;

  constructor(reason: string, path: string) {
    super(reason, 0);
    this.path = path;
    this.message = path === '' ? reason : `${path}: ${reason}`;
  }
}

/**
 * Transcodes one OTLP/JSON Export request of `signal` into the equivalent protobuf bytes. An empty (or
 * whitespace-only) body is no JSON at all, so not a request (`{}` is the empty one). Throws JsonDecodeError only.
 */
export function transcodeOtlpJson(body: Uint8Array, signal: TelemetrySignal): Buffer {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const trimmed = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (trimmed.trim() === '') throw new JsonDecodeError('empty body: an OTLP/JSON request is a JSON object (the empty request is {})', '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new JsonDecodeError(`malformed JSON: ${detail.slice(0, MAX_PARSE_MESSAGE_LENGTH)}`, '');
  }
  if (!isObject(parsed)) throw new JsonDecodeError('an OTLP/JSON request must be a JSON object', '');
  const writer = new ByteWriter(Math.max(256, body.byteLength >>> 1));
  const walk = new JsonWalk(writer);
  walk.message(messageDef(REQUEST_MESSAGE[signal]), parsed, 0);
  return writer.finish();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;
const DECIMAL = /^-?\d{1,20}$/;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

class JsonWalk {
  private readonly w: ByteWriter;
  /** JSON path of the value being written, for error messages only. */
  private readonly path: (string | number)[] = [];

  constructor(writer: ByteWriter) {
    this.w = writer;
  }

  private fail(reason: string): never {
    let text = '';
    for (const part of this.path) text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
    throw new JsonDecodeError(reason, text);
  }

  message(def: MessageDef, object: Record<string, unknown>, depth: number): void {
    if (depth > MAX_JSON_NESTING) this.fail(`nested more than ${MAX_JSON_NESTING} levels deep`);
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      const field = def.byJsonName.get(key);
      if (field === undefined) continue; // unknown fields are ignored (OTLP/JSON)
      const value = object[key];
      if (value === null || value === undefined) continue;
      this.path.push(key);
      if (field.repeated) this.repeated(field, value, depth);
      else this.single(field, value, depth);
      this.path.pop();
    }
  }

  private repeated(field: FieldDef, value: unknown, depth: number): void {
    if (!Array.isArray(value)) this.fail('must be a list');
    if (value.length === 0) return;
    const w = this.w;
    const packed = field.type !== 'message' && field.type !== 'string' && field.type !== 'bytes' && field.type !== 'hexid';
    if (packed) {
      // proto3 packs repeated scalars: one LEN field holding the payloads back to back.
      w.tag(field.number, WIRE_LEN);
      const mark = w.beginMessage();
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        this.scalarPayload(field, value[i]);
        this.path.pop();
      }
      w.endMessage(mark);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      this.path.push(i);
      const item: unknown = value[i];
      if (item === null) this.fail('must not be null');
      this.single(field, item, depth);
      this.path.pop();
    }
  }

  private single(field: FieldDef, value: unknown, depth: number): void {
    const w = this.w;
    switch (field.type) {
      case 'message': {
        if (!isObject(value)) this.fail('must be an object');
        w.tag(field.number, WIRE_LEN);
        const mark = w.beginMessage();
        this.message(field.message!, value, depth + 1);
        w.endMessage(mark);
        return;
      }
      case 'string':
        if (typeof value !== 'string') this.fail('must be a string');
        w.tag(field.number, WIRE_LEN);
        w.string(value);
        return;
      case 'bytes':
        if (typeof value !== 'string' || !BASE64.test(value)) this.fail('must be a base64 string');
        w.tag(field.number, WIRE_LEN);
        w.bytes(Buffer.from(value, 'base64'));
        return;
      case 'hexid':
        w.tag(field.number, WIRE_LEN);
        if (typeof value !== 'string' || !w.hex(value)) {
          this.fail('must be a hex string (OTLP/JSON encodes trace and span IDs in hex, not base64)');
        }
        return;
      case 'double':
      case 'fixed64':
      case 'sfixed64':
        w.tag(field.number, WIRE_I64);
        this.scalarPayload(field, value);
        return;
      case 'fixed32':
        w.tag(field.number, WIRE_I32);
        this.scalarPayload(field, value);
        return;
      default:
        w.tag(field.number, WIRE_VARINT);
        this.scalarPayload(field, value);
    }
  }

  /** The payload of a numeric or boolean field (no tag): what a packed list holds per element. */
  private scalarPayload(field: FieldDef, value: unknown): void {
    const w = this.w;
    switch (field.type) {
      case 'bool':
        if (typeof value !== 'boolean') this.fail('must be true or false');
        w.varint(value ? 1 : 0);
        return;
      case 'double':
        w.double(this.double(value));
        return;
      case 'fixed64':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) w.fixed64Number(value);
        else w.fixed64(this.integer(value, 0n, UINT64_MAX));
        return;
      case 'sfixed64':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) w.fixed64Number(value);
        else w.fixed64(this.integer(value, INT64_MIN, INT64_MAX));
        return;
      case 'fixed32':
        w.fixed32(Number(this.integer(value, 0n, UINT32_MAX)));
        return;
      case 'uint64':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) w.varint(value);
        else w.varintBig(this.integer(value, 0n, UINT64_MAX));
        return;
      case 'int64':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) w.varint(value);
        else w.varintBig(this.integer(value, INT64_MIN, INT64_MAX));
        return;
      case 'uint32':
        w.varint(Number(this.integer(value, 0n, UINT32_MAX)));
        return;
      case 'int32':
        w.varintBig(this.integer(value, INT32_MIN, INT32_MAX));
        return;
      case 'sint32': {
        const n = Number(this.integer(value, INT32_MIN, INT32_MAX));
        w.varint(((n << 1) ^ (n >> 31)) >>> 0);
        return;
      }
      case 'enum': {
        if (typeof value === 'string' && !DECIMAL.test(value)) {
          const number = field.enumValues![value];
          if (number === undefined) this.fail(`unknown enum value ${JSON.stringify(value.slice(0, 60))}`);
          w.varint(number);
          return;
        }
        w.varintBig(this.integer(value, INT32_MIN, INT32_MAX));
        return;
      }
      default:
        this.fail(`cannot be a list element`);
    }
  }

  private integer(value: unknown, min: bigint, max: bigint): bigint {
    let result: bigint;
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) this.fail('must be an integer');
      result = BigInt(value);
    } else if (typeof value === 'string' && DECIMAL.test(value)) {
      result = BigInt(value);
    } else {
      this.fail('must be an integer (a number or a decimal string)');
    }
    if (result < min || result > max) this.fail(`out of range (${min}…${max})`);
    return result;
  }

  private double(value: unknown): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (NUMERIC.test(value)) return Number(value);
    }
    this.fail('must be a number');
  }
}
