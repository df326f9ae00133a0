// OTLP/JSON bodies for tests, made from the same plain objects the protobuf fixtures use: encode with protobufjs
// (otlp-oracle.ts), then render as OTLP/JSON the way an SDK does — lowerCamelCase names, enums as integers, 64-bit
// integers as decimal strings, trace/span IDs in hex, other bytes in base64, defaults left out.

import type protobuf from 'protobufjs';
import { encodeWith } from './otlp-oracle.js';

const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** The OTLP/JSON object for `object` (protobufjs fromObject conventions) of message `type`. */
export function otlpJsonObject(type: protobuf.Type, object: Record<string, unknown>): Record<string, unknown> {
  const bytes = encodeWith(type, object);
  const plain = type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false });
  return hexIds(plain) as Record<string, unknown>;
}

/** The same as a JSON body. */
export function otlpJsonBody(type: protobuf.Type, object: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(otlpJsonObject(type, object)));
}

function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = HEX_ID_FIELDS.has(key) && typeof item === 'string' ? Buffer.from(item, 'base64').toString('hex') : hexIds(item);
  }
  return out;
}
