// Log record → EventDraft, in two steps like trace/span-converter.ts, so that ordinary records cost almost nothing:
//
//   classify(record)  every record: an integer compare of its severity (plus, when the attribute is honoured and
//                     the record is below the minimum, one lazy look for `firewatch.event_type`) → 0 or flags
//   toDraft(record)   only records that classify as an event: decode strings, render the body, build metadata
//
// Rules (DESIGN.md "Converting telemetry to events"; log-converter-options.ts):
//   - an event when severity ≥ minSeverityNumber (default 17 = ERROR), or when `firewatch.event_type` is set;
//     severity_number 0 (unspecified) falls back to severity_text (`ERROR`, `FATAL`, `WARNING`, …).
//   - event type: `firewatch.event_type`, else the event name (LogRecord.event_name field 12, else the older
//     `event.name` attribute), else `exception.type`, else the `type` (or `name`) of pino's serialized `err`
//     (a JSON string attribute, serialized-error.ts), else defaultEventType (`error`).
//   - severity: `firewatch.severity`, else FATAL (≥ 21) → critical, ERROR (≥ 17) → high, else medium.
//   - message: the body (any AnyValue kind, rendered and bounded), else `exception.message` (else `err`'s message),
//     else severity_text. `err`'s type, message and stack fill exception.type|message|stacktrace in metadata when the
//     record has no such attributes.
//   - time: time_unix_nano, else observed_time_unix_nano; IDs as hex (an all-zero ID counts as none).

import {
  createEventStrings,
  MAX_MESSAGE_LENGTH,
  MAX_METADATA_KEY_LENGTH,
  MAX_METADATA_VALUE_LENGTH,
  MetadataBuilder,
} from '../event-metadata.js';
import { MAX_EVENT_TYPE_LENGTH } from '../trace/span-converter-options.js';
import { nanosToMs } from '../trace/span-view.js';
import { UNKNOWN_SERVICE } from '../wire/any-value.js';
import { anyValueMetadata, anyValueText } from '../wire/any-value-text.js';
import { truncateChars, utf8Bounded } from '../wire/utf8.js';
import {
  LOG_KEY_ENDUSER_ID,
  LOG_KEY_ERR,
  LOG_KEY_EVENT_NAME,
  LOG_KEY_EVENT_TYPE,
  LOG_KEY_EXCEPTION_MESSAGE,
  LOG_KEY_EXCEPTION_TYPE,
  LOG_KEY_SESSION_ID,
  LOG_KEY_SEVERITY,
  LOG_KEY_USER_ID,
  LOG_KEYS,
} from './log-attribute-keys.js';
import {
  createDefaultLogConverterOptions,
  type LogConverterOptions,
  SEVERITY_NUMBER_ERROR,
  SEVERITY_NUMBER_FATAL,
} from './log-converter-options.js';
import { type LogRecordViewFast, type LogResourceViewFast, MAX_LOG_ATTRIBUTES_SCANNED } from './logs-scanner.js';
import { MAX_SERIALIZED_ERROR_CHARS, parseSerializedError, type SerializedError } from './serialized-error.js';
import { isSeverity, type EventDraft, type Severity } from '../../engine/index.js';

/** classify() result bits; 0 means "not an event". */
export const LOG_FLAG_EVENT = 0x1;
/** The record carries `firewatch.event_type` (and the option to honour it is on). */
export const LOG_FLAG_CUSTOM_TYPE = 0x2;

/** Longest severity text worth reading (`critical` is 8; `EMERGENCY` 9). */
const MAX_SEVERITY_TEXT_LENGTH = 16;
/** Attribute keys whose facts the converter already placed under their own names, or that steer it. */
const KEYS_NOT_COPIED = new Set(['firewatch.event_type', 'firewatch.severity']);

export interface LogConverter {
  readonly options: LogConverterOptions;
  /** LOG_FLAG_* bits for the record; 0 for records that are not events. Allocation-free for those. */
  classify(record: LogRecordViewFast): number;
  /** The event for a record classified as `classification` (non-zero). */
  toDraft(record: LogRecordViewFast, resource: LogResourceViewFast, classification: number): EventDraft;
}

export function createLogConverter(options: LogConverterOptions = createDefaultLogConverterOptions()): LogConverter {
  return new SeverityLogConverter(options);
}

class SeverityLogConverter implements LogConverter {
  readonly options: LogConverterOptions;
  private readonly minSeverity: number;
  private readonly honourFirewatchAttributes: boolean;
  /** One copy of each repeated event string (event-metadata.ts). */
  private readonly strings = createEventStrings();

  constructor(options: LogConverterOptions) {
    this.options = options;
    this.minSeverity = options.minSeverityNumber;
    this.honourFirewatchAttributes = options.honourFirewatchAttributes;
  }

  classify(record: LogRecordViewFast): number {
    let result = effectiveSeverityNumber(record) >= this.minSeverity ? LOG_FLAG_EVENT : 0;
    if (this.honourFirewatchAttributes && record.mayHaveEventType && record.has(LOG_KEY_EVENT_TYPE)) {
      result |= LOG_FLAG_EVENT | LOG_FLAG_CUSTOM_TYPE;
    }
    return result;
  }

  toDraft(record: LogRecordViewFast, resource: LogResourceViewFast, classification: number): EventDraft {
    const options = this.options;
    const severityNumber = effectiveSeverityNumber(record);
    const severityText = record.severityTextLen === 0 ? null : record.severityText(MAX_METADATA_VALUE_LENGTH);
    const customType =
      (classification & LOG_FLAG_CUSTOM_TYPE) !== 0 ? record.string(LOG_KEY_EVENT_TYPE, MAX_EVENT_TYPE_LENGTH) : null;
    const eventName =
      (record.eventNameLen === 0 ? null : record.eventName(MAX_METADATA_VALUE_LENGTH)) ??
      record.string(LOG_KEY_EVENT_NAME, MAX_METADATA_VALUE_LENGTH);
    // pino's `err` stands in for the exception.* attributes a record does not carry (read only then: it is parsed).
    let exceptionType = record.string(LOG_KEY_EXCEPTION_TYPE, MAX_METADATA_VALUE_LENGTH);
    let exceptionMessage = record.string(LOG_KEY_EXCEPTION_MESSAGE, MAX_MESSAGE_LENGTH);
    let exceptionStack: string | null = null;
    if (exceptionType === null || exceptionMessage === null) {
      const serialized = readSerializedError(record);
      if (serialized !== null) {
        exceptionType ??= nonEmpty(truncateChars(serialized.type ?? '', MAX_METADATA_VALUE_LENGTH));
        exceptionMessage ??= nonEmpty(truncateChars(serialized.message ?? '', MAX_MESSAGE_LENGTH));
        exceptionStack = nonEmpty(truncateChars(serialized.stack ?? '', MAX_METADATA_VALUE_LENGTH));
      }
    }
    const eventType =
      customType ??
      nonEmpty(truncateChars(eventName ?? '', MAX_EVENT_TYPE_LENGTH)) ??
      nonEmpty(truncateChars(exceptionType ?? '', MAX_EVENT_TYPE_LENGTH)) ??
      options.defaultEventType;

    let severity: Severity =
      severityNumber >= SEVERITY_NUMBER_FATAL
        ? options.severities.fatal
        : severityNumber >= SEVERITY_NUMBER_ERROR
          ? options.severities.error
          : options.severities.other;
    if (this.honourFirewatchAttributes) {
      const override = record.string(LOG_KEY_SEVERITY, MAX_SEVERITY_TEXT_LENGTH)?.toLowerCase();
      if (override !== undefined && isSeverity(override)) severity = override;
    }

    const body =
      record.bodyStart === -1 ? null : anyValueText(record.values, record.bodyStart, record.bodyEnd, MAX_MESSAGE_LENGTH);
    const message =
      nonEmpty(body) ??
      exceptionMessage ??
      severityText ??
      `${eventType} log record (severity ${record.severityNumber})`;

    const strings = this.strings;
    const meta = new MetadataBuilder(strings);
    if (severityText !== null) meta.putName('severity_text', severityText);
    meta.put('severity_number', record.severityNumber);
    if (eventName !== null) meta.putName('event.name', eventName);
    if (exceptionType !== null) meta.putName('exception.type', exceptionType);
    if (exceptionMessage !== null) meta.put('exception.message', exceptionMessage);
    if (exceptionStack !== null) meta.put('exception.stacktrace', exceptionStack);
    // Distinct users and sessions are how the engine sizes the blast radius.
    putString(meta, 'enduser.id', record.string(LOG_KEY_ENDUSER_ID, MAX_METADATA_VALUE_LENGTH));
    putString(meta, 'user.id', record.string(LOG_KEY_USER_ID, MAX_METADATA_VALUE_LENGTH));
    putString(meta, 'session.id', record.string(LOG_KEY_SESSION_ID, MAX_METADATA_VALUE_LENGTH));
    if (record.attributeCount !== 0) copyAttributes(record, meta);

    return {
      timestamp:
        (record.timeLo | record.timeHi) !== 0
          ? nanosToMs(record.timeLo, record.timeHi)
          : nanosToMs(record.observedTimeLo, record.observedTimeHi),
      event_type: eventType,
      source: strings.intern(resource.serviceName ?? UNKNOWN_SERVICE),
      severity,
      message: truncateChars(message, MAX_MESSAGE_LENGTH),
      metadata: meta.metadata,
      correlation_id: isAllZero(record.buf, record.traceIdPos, record.traceIdLen) ? '' : record.traceIdHex(),
      span_id: isAllZero(record.buf, record.spanIdPos, record.spanIdLen) ? '' : record.spanIdHex(),
    };
  }
}

/** pino's `err` attribute, when it is JSON text of an error object. */
function readSerializedError(record: LogRecordViewFast): SerializedError | null {
  // One character past the bound: a longer text arrives cut, and is refused as too long rather than parsed.
  const text = record.string(LOG_KEY_ERR, MAX_SERIALIZED_ERROR_CHARS + 1);
  return text === null ? null : parseSerializedError(text);
}

function nonEmpty(text: string | null): string | null {
  return text === null || text === '' ? null : text;
}

function putString(meta: MetadataBuilder, key: string, value: string | null): void {
  if (value !== null) meta.put(key, value);
}

/** Empty and all-zero IDs are "no ID" (W3C trace context calls all-zero IDs invalid). */
function isAllZero(buf: Uint8Array, pos: number, len: number): boolean {
  for (let i = pos; i < pos + len; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The remaining attributes, in wire order, until the metadata is full: scalars keep their type, containers and
 * bytes become bounded text. Keys the converter already set are not overwritten.
 */
function copyAttributes(record: LogRecordViewFast, meta: MetadataBuilder): void {
  const r = record.values;
  const buf = record.buf;
  const end = record.end;
  let seen = 0;
  r.pos = record.start;
  while (seen < MAX_LOG_ATTRIBUTES_SCANNED && !meta.full) {
    // 6 attributes LEN; every other field skipped
    const kvEnd = r.nextKeyValue(0x32, end);
    if (kvEnd === -1) break;
    seen++;
    const keyPos = r.kvKeyPos;
    const keyLen = r.kvKeyLen;
    const valueStart = r.kvValueStart;
    const valueEnd = r.kvValueEnd;
    if (keyPos === -1 || valueStart === -1 || keyLen === 0 || keyLen > MAX_METADATA_KEY_LENGTH) continue;
    const known = LOG_KEYS.match(buf, keyPos, keyLen);
    if (known !== -1 && KEYS_NOT_COPIED.has(LOG_KEYS.names[known]!)) continue;
    const key = utf8Bounded(buf, keyPos, keyLen, MAX_METADATA_KEY_LENGTH);
    const value = anyValueMetadata(r, valueStart, valueEnd, MAX_METADATA_VALUE_LENGTH);
    if (value !== null) meta.putIfAbsent(key, value);
    r.pos = kvEnd;
  }
}

// Severity texts of common logging libraries and syslog, for records that leave severity_number unspecified (0).
// Mapped per the OTLP data model's severity table (https://opentelemetry.io/docs/specs/otel/logs/data-model/).
const SEVERITY_BY_TEXT: ReadonlyMap<string, number> = new Map([
  ['trace', 1],
  ['debug', 5],
  ['info', 9],
  ['information', 9],
  ['notice', 10],
  ['warn', 13],
  ['warning', 13],
  ['error', 17],
  ['err', 17],
  ['severe', 17],
  ['critical', 21],
  ['crit', 21],
  ['alert', 22],
  ['fatal', 21],
  ['emerg', 23],
  ['emergency', 23],
  ['panic', 23],
]);
const LONGEST_SEVERITY_TEXT = 11;

/** severity_number, else (when it is 0) the number severity_text implies; 0 when neither says anything. */
export function effectiveSeverityNumber(record: LogRecordViewFast): number {
  const number = record.severityNumber;
  if (number !== 0 || record.severityTextLen === 0 || record.severityTextLen > LONGEST_SEVERITY_TEXT) return number;
  return SEVERITY_BY_TEXT.get(record.severityText(LONGEST_SEVERITY_TEXT).toLowerCase()) ?? 0;
}
