// Walks an ExportLogsServiceRequest from the wire and shows each log record to a visitor through one reused
// LogRecordViewFast, in the style of trace/trace-scanner.ts. In this issue log records are only validated and
// counted; the view already carries what a log → event converter will need (severity, body, event name, IDs).
//
// Lifetime: the view describes the current record only during the visitor call; its offsets point into the request
// Buffer. Validation is as deep as the scan: every field of the messages down to LogRecord is checked; the insides
// of body, attributes and scope are skipped by length.

import { readServiceName } from '../wire/any-value.js';
import { hexOf } from '../wire/hex.js';
import { asBuffer, ProtoReader } from '../wire/proto-reader.js';
import { utf8Bounded } from '../wire/utf8.js';

export const LOG_TRACE_ID_BYTES = 16;
export const LOG_SPAN_ID_BYTES = 8;

/** What the scanner learned about the current ResourceLogs. */
export class LogResourceViewFast {
  index = 0;
  /** `service.name`, or null when absent. */
  serviceName: string | null = null;
}

export class LogRecordViewFast {
  readonly buf: Buffer;
  /** Index of the record within its ResourceLogs, counted across scopes. */
  index = 0;
  start = 0;
  end = 0;
  timeLo = 0;
  timeHi = 0;
  observedTimeLo = 0;
  observedTimeHi = 0;
  severityNumber = 0;
  severityTextPos = 0;
  severityTextLen = 0;
  /** AnyValue range of the body; bodyStart -1 when absent. */
  bodyStart = -1;
  bodyEnd = -1;
  /** Number of attribute KeyValues (their contents are not read by the scan). */
  attributeCount = 0;
  flags = 0;
  traceIdPos = 0;
  traceIdLen = 0;
  spanIdPos = 0;
  spanIdLen = 0;
  eventNamePos = 0;
  eventNameLen = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  reset(index: number, start: number, end: number): void {
    this.index = index;
    this.start = start;
    this.end = end;
    this.timeLo = 0;
    this.timeHi = 0;
    this.observedTimeLo = 0;
    this.observedTimeHi = 0;
    this.severityNumber = 0;
    this.severityTextLen = 0;
    this.bodyStart = -1;
    this.bodyEnd = -1;
    this.attributeCount = 0;
    this.flags = 0;
    this.traceIdLen = 0;
    this.spanIdLen = 0;
    this.eventNameLen = 0;
  }

  traceIdHex(): string {
    return hexOf(this.buf, this.traceIdPos, this.traceIdLen);
  }

  spanIdHex(): string {
    return hexOf(this.buf, this.spanIdPos, this.spanIdLen);
  }

  severityText(maxChars: number): string {
    return utf8Bounded(this.buf, this.severityTextPos, this.severityTextLen, maxChars);
  }

  eventName(maxChars: number): string {
    return utf8Bounded(this.buf, this.eventNamePos, this.eventNameLen, maxChars);
  }
}

export interface LogsScanVisitor {
  resource(resource: LogResourceViewFast): void;
  logRecord(record: LogRecordViewFast, resource: LogResourceViewFast): void;
  rejectedLogRecord(record: LogRecordViewFast, resource: LogResourceViewFast, reason: string): void;
}

/**
 * Scans `bytes` as an ExportLogsServiceRequest (or LogsData). Throws DecodeError when undecodable.
 *
 * ExportLogsServiceRequest (logs_service.proto)   ResourceLogs (logs.proto)      ScopeLogs (logs.proto)
 *   1 resource_logs  LEN                            1 resource    LEN              1 scope        LEN (skipped)
 *                                                   2 scope_logs  LEN              2 log_records  LEN
 *                                                   3 schema_url  (skipped)        3 schema_url   (skipped)
 */
export function scanLogsRequest(bytes: Uint8Array, visitor: LogsScanVisitor): void {
  const buf = asBuffer(bytes);
  const r = new ProtoReader(buf);
  const record = new LogRecordViewFast(buf);
  const resource = new LogResourceViewFast();
  const end = buf.length;
  let resourceIndex = 0;
  while (r.pos < end) {
    const tag = r.uint32(end);
    if (tag !== 0x0a) {
      r.skip(tag, end);
      continue;
    }
    const len = r.length(end);
    const resourceLogsStart = r.pos;
    const resourceLogsEnd = resourceLogsStart + len;

    // First pass: the resource, which may follow its records on the wire.
    resource.index = resourceIndex++;
    resource.serviceName = null;
    let resourceStart = -1;
    let resourceEnd = -1;
    while (r.pos < resourceLogsEnd) {
      const resourceTag = r.uint32(resourceLogsEnd);
      if (resourceTag === 0x0a) {
        const resourceLen = r.length(resourceLogsEnd);
        resourceStart = r.pos;
        resourceEnd = resourceStart + resourceLen;
        r.pos = resourceEnd;
      } else {
        r.skip(resourceTag, resourceLogsEnd);
      }
    }
    if (resourceStart !== -1) resource.serviceName = readServiceName(r, resourceStart, resourceEnd);
    visitor.resource(resource);

    // Second pass: scope_logs → log_records.
    let recordIndex = 0;
    r.pos = resourceLogsStart;
    while (r.pos < resourceLogsEnd) {
      const scopesTag = r.uint32(resourceLogsEnd);
      if (scopesTag !== 0x12) {
        r.skip(scopesTag, resourceLogsEnd);
        continue;
      }
      const scopeEnd = r.payloadEnd(resourceLogsEnd);
      while (r.pos < scopeEnd) {
        const scopeTag = r.uint32(scopeEnd);
        if (scopeTag !== 0x12) {
          r.skip(scopeTag, scopeEnd);
          continue;
        }
        const recordEnd = r.payloadEnd(scopeEnd);
        scanLogRecord(r, r.pos, recordEnd, recordIndex++, record);
        const reason = invalidIdReason(record);
        if (reason === null) visitor.logRecord(record, resource);
        else visitor.rejectedLogRecord(record, resource, reason);
        r.pos = recordEnd;
      }
    }
    r.pos = resourceLogsEnd;
  }
}

/**
 * LogRecord (logs.proto)
 *   1 time_unix_nano           I64        7 dropped_attributes_count  VARINT (skipped)
 *   2 severity_number          VARINT     8 flags                     I32
 *   3 severity_text            LEN        9 trace_id                  LEN (empty or 16 bytes)
 *   5 body                     LEN       10 span_id                   LEN (empty or 8 bytes)
 *   6 attributes               LEN       11 observed_time_unix_nano   I64
 *                                        12 event_name                LEN
 */
function scanLogRecord(r: ProtoReader, start: number, end: number, index: number, v: LogRecordViewFast): void {
  v.reset(index, start, end);
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32(end);
    switch (tag) {
      case 0x09:
        r.fixed64(end);
        v.timeLo = r.lo;
        v.timeHi = r.hi;
        break;
      case 0x10:
        v.severityNumber = r.uint32(end);
        break;
      case 0x1a: {
        const len = r.length(end);
        v.severityTextPos = r.pos;
        v.severityTextLen = len;
        r.pos += len;
        break;
      }
      case 0x2a: {
        const len = r.length(end);
        v.bodyStart = r.pos;
        v.bodyEnd = r.pos + len;
        r.pos += len;
        break;
      }
      case 0x32: {
        const len = r.length(end);
        v.attributeCount++;
        r.pos += len;
        break;
      }
      case 0x45:
        v.flags = r.fixed32(end);
        break;
      case 0x4a: {
        const len = r.length(end);
        v.traceIdPos = r.pos;
        v.traceIdLen = len;
        r.pos += len;
        break;
      }
      case 0x52: {
        const len = r.length(end);
        v.spanIdPos = r.pos;
        v.spanIdLen = len;
        r.pos += len;
        break;
      }
      case 0x59:
        r.fixed64(end);
        v.observedTimeLo = r.lo;
        v.observedTimeHi = r.hi;
        break;
      case 0x62: {
        const len = r.length(end);
        v.eventNamePos = r.pos;
        v.eventNameLen = len;
        r.pos += len;
        break;
      }
      default:
        r.skip(tag, end);
    }
  }
}

/** Log records may lack IDs (not every log happens inside a span), but present IDs must have the right length. */
function invalidIdReason(v: LogRecordViewFast): string | null {
  if (v.traceIdLen !== 0 && v.traceIdLen !== LOG_TRACE_ID_BYTES) {
    return `trace_id must be empty or ${LOG_TRACE_ID_BYTES} bytes, got ${v.traceIdLen}`;
  }
  if (v.spanIdLen !== 0 && v.spanIdLen !== LOG_SPAN_ID_BYTES) {
    return `span_id must be empty or ${LOG_SPAN_ID_BYTES} bytes, got ${v.spanIdLen}`;
  }
  return null;
}
