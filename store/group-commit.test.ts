import { describe, expect, it } from 'vitest';
import type { Incident, IncidentEvent, IngestResult } from '../engine/types.js';
import { GroupCommitter, type CommitTarget } from './group-commit.js';

const event = (seq: number) => ({ seq, event_id: `evt_${seq}` }) as IncidentEvent;
const incident = (id: string, eventCount: number) => ({ incident_id: id, event_count: eventCount }) as Incident;
const result = (events: IncidentEvent[], incidents: Incident[] = []): IngestResult => ({ events, linked: [], incidents });

function recordingTarget(options: { fail?: boolean } = {}) {
  const commits: IngestResult[] = [];
  let release: (() => void) | undefined;
  const target: CommitTarget & { commits: IngestResult[]; hold(): void; releaseNow(): void } = {
    commits,
    hold() {
      release = undefined;
      held = true;
    },
    releaseNow() {
      held = false;
      release?.();
    },
    commit(batch) {
      commits.push(structuredClone(batch));
      if (options.fail) return Promise.reject(new Error('disk full'));
      if (!held) return Promise.resolve();
      return new Promise<void>((resolve) => (release = resolve));
    },
  };
  let held = false;
  return target;
}

describe('GroupCommitter', () => {
  it('writes submissions of one turn as one batch, the latest incident state only', async () => {
    const target = recordingTarget();
    const committer = new GroupCommitter(target);
    const a = committer.submit(result([event(1)], [incident('inc_00001', 10)]), { nextEventSeq: 2, nextIncidentSeq: 2 });
    const b = committer.submit(result([event(2)], [incident('inc_00001', 11)]), { nextEventSeq: 3, nextIncidentSeq: 2 });
    await Promise.all([a, b]);
    expect(target.commits).toHaveLength(1);
    expect(target.commits[0]!.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(target.commits[0]!.incidents).toEqual([incident('inc_00001', 11)]);
    expect(committer.counters()).toEqual({ batches: 1, submissions: 2 });
  });

  it('batches what arrives while a write is in flight, and acks each only when its own batch is durable', async () => {
    const target = recordingTarget();
    const committer = new GroupCommitter(target);
    target.hold();
    let firstDone = false;
    const first = committer.submit(result([event(1)]), { nextEventSeq: 2, nextIncidentSeq: 1 }).then(() => (firstDone = true));
    await new Promise((r) => setImmediate(r));
    const second = committer.submit(result([event(2)]), { nextEventSeq: 3, nextIncidentSeq: 1 });
    const third = committer.submit(result([event(3)]), { nextEventSeq: 4, nextIncidentSeq: 1 });
    expect(firstDone).toBe(false);
    expect(committer.backlog()).toBe(3); // the queue depth admission control reads
    target.releaseNow();
    await first;
    await Promise.all([second, third]);
    expect(target.commits.map((c) => c.events.map((e) => e.seq))).toEqual([[1], [2, 3]]);
    expect(committer.backlog()).toBe(0);
  });

  it('resolves empty results at once and rejects every waiter of a failed batch', async () => {
    const committer = new GroupCommitter(recordingTarget({ fail: true }));
    await expect(committer.submit(result([]), { nextEventSeq: 1, nextIncidentSeq: 1 })).resolves.toBeUndefined();
    const a = committer.submit(result([event(1)]), { nextEventSeq: 2, nextIncidentSeq: 1 });
    const b = committer.submit(result([event(2)]), { nextEventSeq: 3, nextIncidentSeq: 1 });
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    expect(committer.backlog()).toBe(0);
  });
});
