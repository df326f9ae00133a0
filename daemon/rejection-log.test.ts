import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RejectionReport } from '../receiver/rejection-report.js';
import { createLogger, type LogLevel } from '../common/logger.js';
import { createRejectionLog, REJECTION_LINES_PER_INTERVAL } from './rejection-log.js';

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function recording(level: LogLevel = 'info') {
  const lines: string[] = [];
  const rejections = createRejectionLog(createLogger((line) => lines.push(line), level), { schedule: () => () => {} });
  return { lines, rejections };
}

const report = (overrides: Partial<RejectionReport> = {}): RejectionReport => ({
  kind: 'undecodable',
  receiver: 'http',
  signal: 'traces',
  peer: '192.0.2.7:40123',
  answer: '400',
  reason: 'cannot decode ExportTraceServiceRequest: truncated at byte 12',
  ...overrides,
});

describe('createRejectionLog', () => {
  it('writes one warn line per rejection with the port, signal, sender, answer and reason', () => {
    const { lines, rejections } = recording();
    rejections.report(report());
    rejections.report(report({ kind: 'partially_rejected', receiver: 'grpc', answer: 'OK', rejectedItems: 3, reason: 'span 0: trace_id must be 16 bytes' }));
    rejections.report(report({ kind: 'wrong_protocol', receiver: 'grpc', signal: undefined, answer: 'closed', reason: 'TLS handshake on a plain-text port' }));
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'warn export undecodable port=otlp_http signal=traces peer=192.0.2.7:40123 answer=400 reason="cannot decode ExportTraceServiceRequest: truncated at byte 12"\n',
      'warn export partially rejected port=otlp_grpc signal=traces peer=192.0.2.7:40123 answer=OK rejected_items=3 reason="span 0: trace_id must be 16 bytes"\n',
      'warn wrong protocol port=otlp_grpc peer=192.0.2.7:40123 answer=closed reason="TLS handshake on a plain-text port"\n',
    ]);
  });

  it('is rate-limited per kind', () => {
    const { lines, rejections } = recording();
    for (let i = 0; i < REJECTION_LINES_PER_INTERVAL + 50; i++) rejections.report(report());
    rejections.report(report({ kind: 'refused', answer: '413' }));
    expect(lines).toHaveLength(REJECTION_LINES_PER_INTERVAL + 1);
    rejections.flush();
    expect(lines.at(-1)).toMatch(/ warn export undecodable \(suppressed 50 similar\) interval_s=60\n$/);
  });

  it('writes nothing at level error', () => {
    const { lines, rejections } = recording('error');
    rejections.report(report());
    rejections.flush();
    expect(lines).toEqual([]);
  });

  it('property: whatever the sender put in the reason, the line is one clean, bounded line', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 2000 }),
      fc.constantFrom('\u001b]52;c;ZXZpbA==\u0007', '\u001b[2J\u001b[H', 'a\u202Eb', '\u009b31m', 'line\r\nbreak', 'x'.repeat(5000)),
    );
    fc.assert(
      fc.property(hostile, (reason) => {
        const { lines, rejections } = recording();
        rejections.report(report({ reason }));
        expect(lines).toHaveLength(1);
        const line = lines[0]!;
        expect(line.endsWith('\n')).toBe(true);
        expect(UNSAFE.test(line.slice(0, -1))).toBe(false);
        expect(line.length).toBeLessThan(2200); // 300 characters, each escaped to at most 6
      }),
      { numRuns: 300 },
    );
  });
});
