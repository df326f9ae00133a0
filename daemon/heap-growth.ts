// How far V8 lets the daemon's heap grow past what is live before it collects: at most twice (V8 picks up to four
// times on its own for a heap that collects fast). The daemon's live set is bounded by design (rings, windows,
// caps: ~100 MiB under load), but with the default factor the heap grew to three or four times that between major
// collections under overload, and RSS with it: 587–616 MiB at 3× load with 135–176k spans/s accepted, against 443
// MiB and the same throughput with this bound (node dist/bench/overload.bench.js --seconds 60 --rate 113000;
// FIREWATCH_BENCH_NODE_FLAGS weighs other values: at 30 % it held 342 MiB but accepted half as much).
//
// Set from the running process (v8.setFlagsFromString): V8 reads the factor each time it sizes the heap after a
// collection, so it applies from the first one on. Only `firewatch serve` sets it; a process embedding the daemon
// (the tests) keeps its own.

import { setFlagsFromString } from 'node:v8';

/** The heap may grow to (1 + this / 100) × what was live after the last major collection. */
export const HEAP_GROWING_PERCENT = 100;

export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
