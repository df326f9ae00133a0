// How far V8 lets the daemon's heap grow past what was live after a major collection before the next one: the factor
// is fixed at 2 (V8 picks 1.1 to 4 on its own, up to 4 for a heap that collects fast, and 1.1–1.3 when it is saving
// memory: near its limit, or when the memory reducer runs; a fixed factor replaces those choices too). The daemon's
// live set is bounded by design (rings, windows, caps: ~100 MiB under load), but under overload V8 chose 3–4 and
// the heap, and RSS with it, grew to match: 587–616 MiB at 3× load with 134–176k spans/s accepted, against 441–443
// MiB and the same throughput at 2 (node dist/bench/overload.bench.js --seconds 60 --rate 113000;
// FIREWATCH_BENCH_NODE_FLAGS weighs other values: at 30 % it held 342 MiB but accepted half as much). The memory
// given up is what an idle daemon would have returned by collecting harder: little, its live set being bounded.
//
// Set from the running process (v8.setFlagsFromString): V8 reads the factor each time it sizes the heap after a
// collection, so it applies from the first one on (the overload bench measured it set this way). The processes that
// run the daemon set it (`firewatch serve`, and `firewatch` with its terminal UI); one embedding it (the tests) keeps
// its own.

import { setFlagsFromString } from 'node:v8';

/** The heap grows to (1 + this / 100) × what was live after a major collection before the next one. */
export const HEAP_GROWING_PERCENT = 100;

export function fixHeapGrowthFactor(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
