// The daemon's log lines for what the receivers could not take as sent: refused and undecodable exports, partial
// rejections, wrong-protocol connections. One line each, with the sender's address and what it was answered,
// rate-limited per kind (log-rate-limiter.ts). The reason can echo what the sender sent, so it is cleaned
// (engine/text.ts: escape sequences, controls and bidi overrides out, one line) and bounded before it is written.

import { oneLine, truncate } from '../common/text.js';
import type { DaemonLogger } from '../common/logger.js';
import { createRateLimitedLog, type RateLimitOptions } from './log-rate-limiter.js';
import { type RejectionKind, type RejectionListener } from '../receiver/index.js';

/** At most this many lines per kind per minute (then a "(suppressed K similar)" summary). */
export const REJECTION_LINES_PER_INTERVAL = 10;
export const REJECTION_LOG_INTERVAL_MS = 60_000;
/** Longest reason written (characters). */
const MAX_REASON_LENGTH = 300;

const MESSAGES: Record<RejectionKind, string> = {
  refused: 'export refused',
  undecodable: 'export undecodable',
  partially_rejected: 'export partially rejected',
  wrong_protocol: 'wrong protocol',
};

/** The port a report came to, as the daemon's `firewatch ready` line names it. */
const PORT_NAMES = { grpc: 'otlp_grpc', http: 'otlp_http' } as const;

export interface RejectionLog {
  report: RejectionListener;
  /** Writes the summaries still owed (at shutdown). */
  flush(): void;
}

export function createRejectionLog(log: DaemonLogger, limits: Partial<RateLimitOptions> = {}): RejectionLog {
  const limited = createRateLimitedLog<RejectionKind>(log, {
    linesPerInterval: REJECTION_LINES_PER_INTERVAL,
    intervalMs: REJECTION_LOG_INTERVAL_MS,
    ...limits,
  });
  return {
    report(report) {
      if (!log.enabled('warn')) return;
      const fields: Record<string, unknown> = { port: PORT_NAMES[report.receiver] };
      if (report.signal !== undefined) fields.signal = report.signal;
      fields.peer = report.peer;
      fields.answer = report.answer;
      if (report.rejectedItems !== undefined) fields.rejected_items = report.rejectedItems;
      fields.reason = truncate(oneLine(report.reason), MAX_REASON_LENGTH);
      limited.write(report.kind, 'warn', MESSAGES[report.kind], fields);
    },
    flush: () => limited.flush(),
  };
}
