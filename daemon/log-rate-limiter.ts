// Lines that a sender can cause (one per rejected export, per bad connection) written at most `linesPerInterval`
// times per kind per interval; the rest are counted and summed up in one line, `<message> (suppressed K similar)`,
// when the interval ends. A misbehaving client can fill the daemon's log at most this fast, and the operator still
// learns how much was left out. Kinds come from code, never from telemetry, so the state is bounded.

import type { DaemonLogger, LogLevel } from '../common/logger.js';

export interface RateLimitOptions {
  /** Lines written per kind per interval before the rest are only counted. */
  linesPerInterval: number;
  intervalMs: number;
  clock?: () => number;
  /** Runs `task` after `ms`; returns its cancel function. Default: an unref'd setTimeout. */
  schedule?: (task: () => void, ms: number) => () => void;
}

export interface RateLimitedLog<Kind extends string> {
  write(kind: Kind, level: LogLevel, message: string, fields: Record<string, unknown>): void;
  /** Writes the summaries still owed, now (at shutdown). */
  flush(): void;
}

interface KindWindow {
  startedAt: number;
  written: number;
  suppressed: number;
  /** Of the last suppressed line: what the summary says. */
  level: LogLevel;
  message: string;
  cancelSummary: (() => void) | undefined;
}

const MS_PER_SECOND = 1000;

function scheduleUnref(task: () => void, ms: number): () => void {
  const timer = setTimeout(task, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export function createRateLimitedLog<Kind extends string>(log: DaemonLogger, options: RateLimitOptions): RateLimitedLog<Kind> {
  const clock = options.clock ?? Date.now;
  const schedule = options.schedule ?? scheduleUnref;
  const windows = new Map<Kind, KindWindow>();

  const summarize = (window: KindWindow): void => {
    window.cancelSummary?.();
    window.cancelSummary = undefined;
    if (window.suppressed === 0) return;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    log[window.level](`${window.message} (suppressed ${suppressed} similar)`, { interval_s: options.intervalMs / MS_PER_SECOND });
  };

  return {
    write(kind, level, message, fields) {
      if (!log.enabled(level)) return;
      const now = clock();
      let window = windows.get(kind);
      if (window === undefined) {
        window = { startedAt: now, written: 0, suppressed: 0, level, message, cancelSummary: undefined };
        windows.set(kind, window);
      } else if (now - window.startedAt >= options.intervalMs) {
        summarize(window);
        window.startedAt = now;
        window.written = 0;
      }
      if (window.written < options.linesPerInterval) {
        window.written++;
        log[level](message, fields);
        return;
      }
      window.suppressed++;
      window.level = level;
      window.message = message;
      if (window.cancelSummary === undefined) {
        const owed = window;
        owed.cancelSummary = schedule(() => summarize(owed), Math.max(0, owed.startedAt + options.intervalMs - now));
      }
    },
    flush() {
      for (const window of windows.values()) summarize(window);
    },
  };
}
