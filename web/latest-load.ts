// Reads that may overlap (a screen re-reads as its clock ticks, and again after each action): only the answer to the
// newest read is shown. Without it, a tick's read that was slower than the action's later one put the list from
// before the action back on screen until the next tick.

import { useEffect, useRef } from 'react';

export interface LatestOnly {
  /** Runs `read`; `apply`/`fail` are called only if no read was started after it and the screen is still there. */
  run<T>(read: () => Promise<T>, apply: (value: T) => void, fail: (error: unknown) => void): Promise<void>;
  /** The screen is gone: no answer is applied any more. */
  close(): void;
}

export function latestOnly(): LatestOnly {
  let newest = 0;
  let closed = false;
  return {
    async run(read, apply, fail) {
      const mine = ++newest;
      const current = () => !closed && mine === newest;
      try {
        const value = await read();
        if (current()) apply(value);
      } catch (error) {
        if (current()) fail(error);
      }
    },
    close() {
      closed = true;
    },
  };
}

/**
 * latestOnly() for a component's lifetime: a stable object whose reads go to the reader of the current mount (React's
 * StrictMode mounts, unmounts and mounts again in development; a reader closed by the first unmount stays closed).
 */
export function useLatestOnly(): LatestOnly {
  const current = useRef<LatestOnly | undefined>(undefined);
  const stable = useRef<LatestOnly | undefined>(undefined);
  stable.current ??= {
    run: (read, apply, fail) => (current.current ??= latestOnly()).run(read, apply, fail),
    close: () => current.current?.close(),
  };
  useEffect(() => {
    const reads = latestOnly();
    current.current = reads;
    return () => reads.close();
  }, []);
  return stable.current;
}
