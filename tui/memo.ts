// The last result of a pure function, kept while its arguments are the same objects: a frame rebuilt for a key press
// reuses the filtered, sorted incident list and its cells when the incidents, the filter and the second did not change
// (with 500 incidents that was most of a frame's cost).

export function memoLast<A extends unknown[], R>(compute: (...args: A) => R): (...args: A) => R {
  let lastArgs: A | undefined;
  let lastResult: R;
  return (...args: A): R => {
    if (lastArgs !== undefined && lastArgs.length === args.length && lastArgs.every((arg, i) => arg === args[i])) return lastResult;
    lastResult = compute(...args);
    lastArgs = args;
    return lastResult;
  };
}
