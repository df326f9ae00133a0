// Engine ingests run in bounded turns of the event loop. Exports arrive in bursts: every socket that became readable
// in one poll is handled in the same turn, and ingesting them all there made turns of tens of milliseconds. Other
// connections wait for the next poll meanwhile, and HTTP/2 (gRPC) waits worst: its flow-control window is handed
// back only as the loop reads, so a long turn stalls every gRPC upload behind it. Here ingests queue and run in
// order, as many per turn as fit in TURN_BUDGET_MS (at least one), and the loop polls for I/O between two turns.

import { performance } from 'node:perf_hooks';

/** Time given to queued ingests per event-loop turn. */
export const TURN_BUDGET_MS = 5;

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class IngestTurns {
  private readonly jobs: Job[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly budgetMs = TURN_BUDGET_MS) {}

  /** Runs `job` (synchronous) on a coming turn, in the order asked; resolves with what it returned or rejects. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run: job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.turn);
      }
    });
  }

  /** Jobs waiting for a turn. */
  get queued(): number {
    return this.jobs.length - this.head;
  }

  private readonly turn = (): void => {
    const started = performance.now();
    do {
      const job = this.jobs[this.head++]!;
      try {
        job.resolve(job.run());
      } catch (error) {
        job.reject(error);
      }
    } while (this.head < this.jobs.length && performance.now() - started < this.budgetMs);
    if (this.head === this.jobs.length) {
      this.jobs.length = 0;
      this.head = 0;
      this.scheduled = false;
      return;
    }
    // Scheduled from within the check phase, so it runs on the next turn, after the next poll for I/O.
    setImmediate(this.turn);
  };
}
