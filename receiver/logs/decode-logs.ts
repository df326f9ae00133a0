// ExportLogsServiceRequest bytes → what the receiver hands the engine: event drafts for the records that matter and
// accepted/rejected counts for the OTLP answer.
//
//   Buffer ─scanLogsRequest─▶ LogRecordViewFast ─classify─▶ (most records: counted, done)
//                                                       └─▶ toDraft ─▶ drafts[]
//
// Per request this allocates the result and one draft per interesting record; per ordinary record nothing
// (bench/logs-metrics.bench.ts measures the whole path).

import { UNKNOWN_SERVICE } from '../wire/any-value.js';
import { rejectionMessage } from '../rejection-message.js';
import { createLogConverter, type LogConverter } from './log-converter.js';
import {
  type LogRecordViewFast,
  type LogResourceViewFast,
  type LogsScanVisitor,
  scanLogsRequest,
} from './logs-scanner.js';
import { type EventDraft } from '../../engine/index.js';

export interface LogsDecodeResult {
  /** Events from the accepted records that crossed the severity minimum or named their event type. */
  drafts: EventDraft[];
  /** Log records accepted. */
  logRecords: number;
  /** Log records rejected (present trace_id/span_id of the wrong length); never converted. */
  rejected: number;
  /** Why records were rejected (first reason, and how many more), '' when none were. */
  errorMessage: string;
  /** `service.name` of every resource in the request (for silence detection), each once. */
  services: string[];
}

const DEFAULT_CONVERTER = createLogConverter();

/**
 * Decodes and converts one request. Throws DecodeError (only) when the bytes are not a decodable request (including
 * the body or attributes of a record that is converted); records with bad IDs are counted in `rejected` instead.
 */
export function decodeLogsRequest(bytes: Uint8Array, converter: LogConverter = DEFAULT_CONVERTER): LogsDecodeResult {
  const visitor = new DecodeLogsVisitor(converter);
  scanLogsRequest(bytes, visitor);
  return {
    drafts: visitor.drafts,
    logRecords: visitor.accepted,
    rejected: visitor.rejected,
    errorMessage: rejectionMessage(visitor.firstRejection, visitor.rejected, 'log record'),
    services: visitor.services,
  };
}

class DecodeLogsVisitor implements LogsScanVisitor {
  readonly drafts: EventDraft[] = [];
  accepted = 0;
  rejected = 0;
  firstRejection = '';
  private readonly converter: LogConverter;

  constructor(converter: LogConverter) {
    this.converter = converter;
  }

  readonly services: string[] = [];

  resource(resource: LogResourceViewFast): void {
    const service = resource.serviceName ?? UNKNOWN_SERVICE;
    if (!this.services.includes(service)) this.services.push(service);
  }

  logRecord(record: LogRecordViewFast, resource: LogResourceViewFast): void {
    this.accepted++;
    const classification = this.converter.classify(record);
    if (classification !== 0) this.drafts.push(this.converter.toDraft(record, resource, classification));
  }

  rejectedLogRecord(record: LogRecordViewFast, resource: LogResourceViewFast, reason: string): void {
    if (this.rejected === 0) this.firstRejection = `log record ${record.index} in resource ${resource.index}: ${reason}`;
    this.rejected++;
  }
}
