// A TelemetryConsumer for tests: records every batch, and can be told to fail the next calls.

import type { TelemetryBatch, TelemetryConsumer } from '../../../receiver/consumer.js';

export interface RecordingConsumer extends TelemetryConsumer {
  readonly batches: TelemetryBatch[];
  /** The next consume() calls reject with these errors, in order. */
  failNext(...errors: Error[]): void;
  /** Resolves once at least `count` batches have been recorded. */
  waitForBatches(count: number, timeoutMs?: number): Promise<void>;
}

const POLL_INTERVAL_MS = 10;
const DEFAULT_WAIT_MS = 5000;

export function createRecordingConsumer(): RecordingConsumer {
  const batches: TelemetryBatch[] = [];
  const failures: Error[] = [];
  return {
    batches,
    failNext(...errors) {
      failures.push(...errors);
    },
    async consume(batch) {
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      batches.push(batch);
    },
    async waitForBatches(count, timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (batches.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} batches, got ${batches.length}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    },
  };
}
