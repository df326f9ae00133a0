// Timers run by hand, for unit tests of code that takes a Timers object (tui/input.ts, tui/live-store.ts): nothing
// fires until `advance(ms)` moves the clock, and `now()` is that clock.

export type ManualTimers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Moves the clock by `ms`, firing what falls due in order (timers set meanwhile included). */
  advance(ms: number): void;
  now(): number;
  /** Timers waiting. */
  pending(): number;
};

export function manualTimers(start = 0): ManualTimers {
  let clock = start;
  let nextId = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      due.set(id, { at: clock + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      const end = clock + ms;
      for (;;) {
        let first: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of due) if (entry[1].at <= end && (first === undefined || entry[1].at < first[1].at)) first = entry;
        if (first === undefined) break;
        due.delete(first[0]);
        clock = first[1].at;
        first[1].fn();
      }
      clock = end;
    },
    now: () => clock,
    pending: () => due.size,
  };
}
