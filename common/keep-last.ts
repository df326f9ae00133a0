// A function of a number with its last answer kept: for formatting done many times in a row for the same value (the
// incident titles and notes one engine call writes all carry its time, and Date#toISOString costs ~1 µs a call).

/** `compute`, answering a key equal to the last one without calling it again (NaN is never equal: always computed). */
export function keepLast<T>(compute: (key: number) => T): (key: number) => T {
  let lastKey = Number.NaN;
  let last: T | undefined;
  return (key) => {
    if (key !== lastKey) {
      last = compute(key);
      lastKey = key;
    }
    return last as T;
  };
}
