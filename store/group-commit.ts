// Group commit: many exports, one LMDB transaction.
//
//   export A ─ingest─▶ submit ─┐
//   export B ─ingest─▶ submit ─┼─▶ [pending batch] ──(previous write done)──▶ store.commit ──flushed──▶ ack A, B, C
//   export C ─ingest─▶ submit ─┘
//
// Under load an open incident absorbs events from nearly every export; written per export, its whole record
// (components, trace IDs, distributions) would be re-encoded and synced hundreds of times a second. Batched, each
// incident is written once per transaction in its latest state, events are appended, and one fsync covers every
// export in the batch. Each export still resolves only once its own changes are on disk.

import { isEmptyCommit, type CommitExtras, type StoreCounters, type StoredPostmortem } from './lmdb-store.js';
import { type Incident, type IncidentEvent, type IngestResult, type OutboxItem, type SpanRecord } from '../engine/index.js';

export interface CommitTarget {
  commit(result: IngestResult, counters: StoreCounters, extras?: CommitExtras): Promise<void>;
}

interface PendingBatch {
  events: IncidentEvent[];
  linked: IncidentEvent[];
  incidents: Map<string, Incident>;
  traceSpans: SpanRecord[];
  outbox: OutboxItem[];
  postmortems: Map<string, StoredPostmortem>;
  counters: StoreCounters;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

export interface GroupCommitStats {
  /** Transactions written. */
  batches: number;
  /** Submissions covered by them. */
  submissions: number;
}

export class GroupCommitter {
  private pending: PendingBatch | undefined;
  private writing = false;
  private readonly stats: GroupCommitStats = { batches: 0, submissions: 0 };

  constructor(private readonly target: CommitTarget) {}

  /** Resolves once `result` (and everything submitted before it) is durable. */
  submit(result: IngestResult, counters: StoreCounters, extras: CommitExtras = {}): Promise<void> {
    if (isEmptyCommit(result, extras)) return Promise.resolve();
    const traceSpans = result.traceSpans ?? [];
    const outbox = extras.outbox ?? [];
    const postmortems = extras.postmortems ?? [];
    const batch: PendingBatch = (this.pending ??= {
      events: [],
      linked: [],
      incidents: new Map(),
      traceSpans: [],
      outbox: [],
      postmortems: new Map(),
      counters,
      waiters: [],
    });
    for (const item of outbox) batch.outbox.push(item);
    for (const postmortem of postmortems) batch.postmortems.set(postmortem.incident_id, postmortem);
    for (const span of traceSpans) batch.traceSpans.push(span);
    for (const event of result.events) batch.events.push(event);
    for (const event of result.linked) batch.linked.push(event);
    // The engine hands out the same (mutated) incident objects; the latest state wins.
    for (const incident of result.incidents) batch.incidents.set(incident.incident_id, incident);
    batch.counters = counters;
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.writing) {
      this.writing = true;
      // Let the exports that arrived in this event-loop turn join the batch before it is written.
      setImmediate(() => void this.drain());
    }
    return done;
  }

  /** Resolves when nothing is pending or being written. */
  async idle(): Promise<void> {
    while (this.writing || this.pending) await new Promise((resolve) => setImmediate(resolve));
  }

  counters(): GroupCommitStats {
    return { ...this.stats };
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const batch = this.pending;
      this.pending = undefined;
      try {
        await this.target.commit(
          { events: batch.events, linked: batch.linked, incidents: [...batch.incidents.values()], traceSpans: batch.traceSpans },
          batch.counters,
          { outbox: batch.outbox, postmortems: [...batch.postmortems.values()] },
        );
        this.stats.batches += 1;
        this.stats.submissions += batch.waiters.length;
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of batch.waiters) waiter.reject(error);
      }
    }
    this.writing = false;
  }
}
