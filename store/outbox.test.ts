import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../engine/types.js';
import { T0, testItem } from '../test/helpers/notify-fixtures.js';
import { Outbox } from './outbox.js';

function item(id: string, overrides: Partial<OutboxItem> = {}): OutboxItem {
  return testItem({ id, ...overrides });
}

describe('Outbox', () => {
  let directory: string;
  let root: RootDatabase;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-outbox-'));
    root = open({ path: directory, maxDbs: 4 });
  });

  afterEach(async () => {
    await root.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function reopen(): Promise<Outbox> {
    await root.close();
    root = open({ path: directory, maxDbs: 4 });
    return new Outbox(root);
  }

  it('stages in the caller’s transaction: invisible until committed, then due in (next_attempt_at, id) order', async () => {
    // prepare
    const outbox = new Outbox(root);
    const other = root.openDB<string, string>({ name: 'incidents' });

    // act: the daemon's pattern, one synchronous block
    void other.put('inc_00003', 'incident');
    outbox.stage(item('b', { incident_id: 'inc_1', next_attempt_at: T0 + 10 }));
    outbox.stage(item('a', { incident_id: 'inc_2', next_attempt_at: T0 + 10 }));
    outbox.stage(item('c', { incident_id: 'inc_3', next_attempt_at: T0 }));
    outbox.stage(item('d', { incident_id: 'inc_4', next_attempt_at: T0 + 99 }));
    const beforeCommit = outbox.due(T0 + 50, 10);
    await root.flushed;

    // verify
    expect(beforeCommit).toEqual([]);
    expect(outbox.pendingCount()).toBe(4);
    expect(outbox.due(T0 + 50, 10).map((i) => i.id)).toEqual(['c', 'a', 'b']);
    expect(outbox.due(T0 + 50, 2).map((i) => i.id)).toEqual(['c', 'a']);
    expect(outbox.due(T0 + 50, 10, new Set(['a'])).map((i) => i.id)).toEqual(['c', 'b']);
    expect(outbox.nextDueAt()).toBe(T0);
    expect(outbox.nextDueAt(new Set(['c', 'a', 'b']))).toBe(T0 + 99);
    expect(other.get('inc_00003')).toBe('incident');
  });

  it('offers only the first item of each channel × incident, so a resolve never overtakes its trigger', async () => {
    // prepare
    const outbox = new Outbox(root);
    outbox.stage(item('trigger', { channel: 'pagerduty', kind: 'triggered' }));
    outbox.stage(item('resolve', { channel: 'pagerduty', kind: 'resolved', created_at: T0 + 1 }));
    outbox.stage(item('slack', { channel: 'slack', kind: 'triggered' }));
    await root.flushed;

    // act + verify
    expect(outbox.due(T0, 10).map((i) => i.id)).toEqual(['slack', 'trigger']);
    await outbox.reschedule({ ...outbox.get('trigger')!, attempts: 1, next_attempt_at: T0 + 5000, last_error: 'pagerduty: HTTP 429' });
    expect(outbox.due(T0 + 1000, 10).map((i) => i.id)).toEqual(['slack']);
    expect(outbox.nextDueAt(new Set(['slack']))).toBe(T0 + 5000);
    await outbox.markDelivered('trigger');
    expect(outbox.due(T0 + 1000, 10).map((i) => i.id)).toEqual(['resolve', 'slack']);
  });

  it('reschedules, delivers and dead-letters durably', async () => {
    // prepare
    const outbox = new Outbox(root);
    outbox.stage(item('x'));
    outbox.stage(item('y', { incident_id: 'inc_9' }));
    await root.flushed;

    // act
    await outbox.reschedule({ ...item('x'), attempts: 2, next_attempt_at: T0 + 700, last_error: 'webhook:ops: HTTP 503' });
    await outbox.deadLetter({ ...item('y', { incident_id: 'inc_9' }), attempts: 1 }, 'webhook:ops: HTTP 400 Bad Request', T0 + 5);
    const reopened = await reopen();

    // verify
    expect(reopened.pendingCount()).toBe(1);
    expect(reopened.get('x')).toMatchObject({ attempts: 2, next_attempt_at: T0 + 700, last_error: 'webhook:ops: HTTP 503' });
    expect(reopened.due(T0 + 699, 10)).toEqual([]);
    expect(reopened.due(T0 + 700, 10).map((i) => i.id)).toEqual(['x']);
    expect(reopened.get('y')).toBeUndefined();
    expect(reopened.deadLetterCount()).toBe(1);
    expect(reopened.deadLetters(10)).toEqual([
      { ...item('y', { incident_id: 'inc_9' }), attempts: 1, failed_at: T0 + 5, reason: 'webhook:ops: HTTP 400 Bad Request' },
    ]);
    await reopened.markDelivered('x');
    expect(reopened.pendingCount()).toBe(0);
    expect(reopened.nextDueAt()).toBeUndefined();
    expect((await reopen()).pendingCount()).toBe(0);
  });

  it('rebuilds per-stream order after a restart: creation time, then kind', async () => {
    // prepare: staged out of order
    const outbox = new Outbox(root);
    outbox.stage(item('ntf_inc_1_resolved_9', { channel: 'pagerduty', kind: 'resolved', incident_id: 'inc_1', created_at: T0 }));
    outbox.stage(item('ntf_inc_1_triggered_10', { channel: 'pagerduty', kind: 'triggered', incident_id: 'inc_1', created_at: T0 }));
    outbox.stage(item('ntf_inc_1_acknowledged_1', { channel: 'pagerduty', kind: 'acknowledged', incident_id: 'inc_1', created_at: T0 + 1 }));
    await root.flushed;

    // act
    const reopened = await reopen();
    const order: string[] = [];
    for (let next = reopened.due(T0, 10); next.length > 0; next = reopened.due(T0, 10)) {
      expect(next).toHaveLength(1);
      order.push(next[0]!.id);
      await reopened.markDelivered(next[0]!.id);
    }

    // verify
    expect(order).toEqual(['ntf_inc_1_triggered_10', 'ntf_inc_1_resolved_9', 'ntf_inc_1_acknowledged_1']);
  });

  it('keeps due() cheap: it looks at no more heads than it returns (plus skipped ones)', async () => {
    // prepare: 5,000 pending, all due
    const outbox = new Outbox(root);
    const base = item('base', { incident: {} });
    for (let i = 0; i < 5000; i++) {
      outbox.stage({ ...base, id: `ntf_${String(i).padStart(5, '0')}`, incident_id: `inc_${i}`, next_attempt_at: T0 + (i % 100) });
    }
    await root.flushed;
    let reads = 0;
    const items = (outbox as unknown as { items: { get(id: string): unknown } }).items;
    const get = items.get.bind(items);
    items.get = (id: string) => {
      reads++;
      return get(id);
    };

    // act
    const due = outbox.due(T0 + 1000, 8);

    // verify
    expect(due.map((i) => i.next_attempt_at)).toEqual(Array(8).fill(T0));
    expect(reads).toBe(8);
  });

  it('puts dead letters back in their place in their stream, attempts reset, and drops others, durably', async () => {
    // prepare: the trigger to PagerDuty was dead-lettered; its resolve waits behind nothing; another letter for Slack
    const outbox = new Outbox(root);
    const trigger = item('ntf_inc_1_triggered_1', { channel: 'pagerduty', kind: 'triggered', incident_id: 'inc_1', created_at: T0 });
    const resolve = item('ntf_inc_1_resolved_2', { channel: 'pagerduty', kind: 'resolved', incident_id: 'inc_1', created_at: T0 + 50 });
    const slack = item('ntf_inc_1_triggered_3', { channel: 'slack', kind: 'triggered', incident_id: 'inc_1', created_at: T0 });
    outbox.stage(trigger);
    outbox.stage(slack);
    await root.flushed;
    await outbox.deadLetter({ ...trigger, attempts: 3, last_error: 'pagerduty: HTTP 400' }, 'pagerduty: HTTP 400 Invalid Routing Key', T0 + 10);
    await outbox.deadLetter({ ...slack, attempts: 1 }, 'slack: HTTP 404', T0 + 11);
    outbox.stage({ ...resolve, next_attempt_at: T0 + 5_000 }); // not due yet: the head of its stream
    await root.flushed;

    // act
    const results = await outbox.requeue(['ntf_inc_1_triggered_1', 'nope'], T0 + 100);
    const dropped = await outbox.drop('ntf_inc_1_triggered_3');
    const views = [
      { due: outbox.due(T0 + 10_000, 10), pending: outbox.pending(10), slack: outbox.pending(10, 'slack'), dead: outbox.deadLetterCount() },
    ];
    const reopened = await reopen();
    views.push({ due: reopened.due(T0 + 10_000, 10), pending: reopened.pending(10), slack: reopened.pending(10, 'slack'), dead: reopened.deadLetterCount() });

    // verify: the trigger is due now and goes first; the resolve waits for it; the Slack letter is gone
    expect(results).toEqual([
      { id: 'ntf_inc_1_triggered_1', item: { ...trigger, attempts: 0, next_attempt_at: T0 + 100, last_error: null } },
      { id: 'nope', missing: true },
    ]);
    expect(dropped).toMatchObject({ id: 'ntf_inc_1_triggered_3', reason: 'slack: HTTP 404' });
    expect(await reopened.drop('ntf_inc_1_triggered_3')).toBeUndefined();
    for (const view of views) {
      expect(view.dead).toBe(0);
      expect(view.due.map((i) => i.id)).toEqual(['ntf_inc_1_triggered_1']);
      expect(view.pending.map((i) => i.id)).toEqual(['ntf_inc_1_triggered_1', 'ntf_inc_1_resolved_2']);
      expect(view.slack).toEqual([]);
    }
    await reopened.markDelivered('ntf_inc_1_triggered_1');
    expect(reopened.due(T0 + 10_000, 10).map((i) => i.id)).toEqual(['ntf_inc_1_resolved_2']);
  });

  it('lists dead letters by channel, and refuses to requeue an id that is pending', async () => {
    const outbox = new Outbox(root);
    outbox.stage(item('a', { channel: 'slack', incident_id: 'inc_1' }));
    outbox.stage(item('b', { channel: 'webhook:ops', incident_id: 'inc_2' }));
    outbox.stage(item('c', { channel: 'slack', incident_id: 'inc_3' }));
    await root.flushed;
    await outbox.deadLetter(item('a', { channel: 'slack', incident_id: 'inc_1' }), 'slack: HTTP 400', T0 + 1);
    await outbox.deadLetter(item('b', { channel: 'webhook:ops', incident_id: 'inc_2' }), 'webhook:ops: HTTP 410', T0 + 2);
    expect(outbox.deadLetters(0, 'slack').map((letter) => letter.id)).toEqual(['a']);
    expect(outbox.deadLetters(0).map((letter) => letter.id)).toEqual(['b', 'a']);
    expect(outbox.getDeadLetter('b')?.reason).toBe('webhook:ops: HTTP 410');
    expect(await outbox.requeue(['c'], T0)).toEqual([{ id: 'c', missing: true }]);
  });
});
