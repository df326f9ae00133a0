// ExportLogsServiceRequest bytes → counts for the OTLP answer. Log → event conversion is a later issue; it will
// plug into the visitor below (the view already carries severity, body, event name and IDs).

import type { EventDraft } from '../../engine/types.js';
import { rejectionMessage } from '../rejection-message.js';
import {
  type LogRecordViewFast,
  type LogResourceViewFast,
  type LogsScanVisitor,
  scanLogsRequest,
} from './logs-scanner.js';

export interface LogsDecodeResult {
  /** Always empty in this issue: log records are accepted and counted, not converted yet. */
  drafts: EventDraft[];
  /** Log records accepted. */
  logRecords: number;
  /** Log records rejected (present trace_id/span_id of the wrong length). */
  rejected: number;
  /** Why records were rejected (first reason, and how many more), '' when none were. */
  errorMessage: string;
}

/** Validates and counts one request. Throws DecodeError (only) when the bytes are not a decodable request. */
export function decodeLogsRequest(bytes: Uint8Array): LogsDecodeResult {
  const visitor = new CountLogsVisitor();
  scanLogsRequest(bytes, visitor);
  return {
    drafts: [],
    logRecords: visitor.accepted,
    rejected: visitor.rejected,
    errorMessage: rejectionMessage(visitor.firstRejection, visitor.rejected, 'log record'),
  };
}

class CountLogsVisitor implements LogsScanVisitor {
  accepted = 0;
  rejected = 0;
  firstRejection = '';

  resource(): void {}

  logRecord(): void {
    this.accepted++;
  }

  rejectedLogRecord(record: LogRecordViewFast, resource: LogResourceViewFast, reason: string): void {
    if (this.rejected === 0) this.firstRejection = `log record ${record.index} in resource ${resource.index}: ${reason}`;
    this.rejected++;
  }
}
