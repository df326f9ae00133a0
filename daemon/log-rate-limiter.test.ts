import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../common/logger.js';
import { createRateLimitedLog } from './log-rate-limiter.js';

/** A rate-limited log over a recording logger, a hand-driven clock and a hand-run scheduler. */
function harness(level: LogLevel = 'info') {
  const lines: string[] = [];
  let now = 1_000_000;
  const scheduled: { task: () => void; at: number; cancelled: boolean }[] = [];
  const log = createRateLimitedLog<'refused' | 'wrong_protocol'>(
    createLogger((line) => lines.push(line.replace(/^\S+ /, '').trimEnd()), level),
    {
      linesPerInterval: 2,
      intervalMs: 60_000,
      clock: () => now,
      schedule(task, ms) {
        const entry = { task, at: now + ms, cancelled: false };
        scheduled.push(entry);
        return () => (entry.cancelled = true);
      },
    },
  );
  return {
    log,
    lines,
    /** Moves the clock without running timers (a busy event loop). */
    moveClock(ms: number) {
      now += ms;
    },
    advance(ms: number) {
      now += ms;
      for (const entry of scheduled.splice(0)) {
        if (entry.cancelled) continue;
        if (entry.at <= now) entry.task();
        else scheduled.push(entry);
      }
    },
    pendingTimers: () => scheduled.filter((entry) => !entry.cancelled).length,
  };
}

describe('createRateLimitedLog', () => {
  it('writes N lines per kind per interval, then one summary when the interval ends', () => {
    const { log, lines, advance } = harness();
    for (let i = 0; i < 5; i++) log.write('refused', 'warn', 'export refused', { peer: `10.0.0.${i}:1` });
    log.write('wrong_protocol', 'warn', 'wrong protocol', { peer: '10.0.0.9:1' });
    expect(lines).toEqual([
      'warn export refused peer=10.0.0.0:1',
      'warn export refused peer=10.0.0.1:1',
      'warn wrong protocol peer=10.0.0.9:1',
    ]);
    advance(59_999);
    expect(lines).toHaveLength(3);
    advance(1);
    expect(lines.at(-1)).toBe('warn export refused (suppressed 3 similar) interval_s=60');
    // A new interval: lines again, up to the limit.
    log.write('refused', 'warn', 'export refused', { peer: '10.0.0.7:1' });
    expect(lines.at(-1)).toBe('warn export refused peer=10.0.0.7:1');
    expect(lines).toHaveLength(5);
  });

  it('writes no summary when nothing was suppressed, and at most one timer per kind', () => {
    const { log, lines, advance, pendingTimers } = harness();
    log.write('refused', 'warn', 'export refused', {});
    log.write('refused', 'warn', 'export refused', {});
    expect(pendingTimers()).toBe(0);
    for (let i = 0; i < 1000; i++) log.write('refused', 'warn', 'export refused', {});
    expect(pendingTimers()).toBe(1);
    expect(lines).toHaveLength(2);
    advance(60_000);
    expect(lines).toEqual(['warn export refused', 'warn export refused', 'warn export refused (suppressed 1000 similar) interval_s=60']);
    advance(120_000);
    expect(lines).toHaveLength(3);
  });

  it('summarizes before the next line when the interval ended before its timer ran', () => {
    const { log, lines, moveClock, advance, pendingTimers } = harness();
    for (let i = 0; i < 4; i++) log.write('refused', 'warn', 'export refused', { n: i });
    moveClock(61_000);
    log.write('refused', 'warn', 'export refused', { n: 4 });
    expect(lines).toEqual([
      'warn export refused n=0',
      'warn export refused n=1',
      'warn export refused (suppressed 2 similar) interval_s=60',
      'warn export refused n=4',
    ]);
    expect(pendingTimers()).toBe(0);
    advance(60_000);
    expect(lines).toHaveLength(4);
  });

  it('flush() writes the summaries still owed, once', () => {
    const { log, lines, pendingTimers } = harness();
    for (let i = 0; i < 3; i++) log.write('wrong_protocol', 'warn', 'wrong protocol', {});
    log.flush();
    log.flush();
    expect(lines).toEqual(['warn wrong protocol', 'warn wrong protocol', 'warn wrong protocol (suppressed 1 similar) interval_s=60']);
    expect(pendingTimers()).toBe(0);
  });

  it('neither writes nor counts lines below the log level', () => {
    const { log, lines, advance, pendingTimers } = harness('error');
    for (let i = 0; i < 10; i++) log.write('refused', 'warn', 'export refused', {});
    advance(60_000);
    expect(lines).toEqual([]);
    expect(pendingTimers()).toBe(0);
  });
});

describe('createLogger levels', () => {
  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('at %s writes %j', (level, written) => {
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line.split(' ')[1]!), level);
    log.debug('d', {});
    log.info('i', {});
    log.warn('w', {});
    log.error('e', {});
    expect(lines).toEqual(written);
    expect((['debug', 'info', 'warn', 'error'] as const).filter((at) => log.enabled(at))).toEqual(written);
  });

  it('escapes controls and bidirectional overrides in values', () => {
    const lines: string[] = [];
    createLogger((line) => lines.push(line)).warn('m', { service: 'pay\u202Ements\u001b[2J' });
    expect(lines[0]).toContain('service=pay\\u202ements\\u001b[2J');
  });
});
