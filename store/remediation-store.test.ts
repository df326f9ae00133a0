import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from './remediation-types.js';
import { RemediationStore, type AuditDraft } from './remediation-store.js';

let dir: string;
let root: RootDatabase;

function openRoot(): RootDatabase {
  return open({ path: dir, maxDbs: 12 });
}

function entry(incident_id: string, kind: AuditDraft['kind'] = 'recommended', at = 1000): AuditDraft {
  return { at, incident_id, action_id: 'clear_cache', kind, actor: 'firewatch', risk: 'safe', approved_by: null, detail: kind };
}

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    incident_id: 'inc_00001',
    action_id: 'restart_service',
    requested_at: 1000,
    expires_at: 5000,
    status: 'pending',
    decided_by: null,
    decided_at: null,
    ...overrides,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firewatch-remediation-'));
  root = openRoot();
});

afterEach(async () => {
  await root.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RemediationStore', () => {
  it('numbers audit entries and keeps the numbering across reopening the environment', async () => {
    // prepare
    const store = new RemediationStore(root);
    const first = await store.append([entry('inc_00002'), entry('inc_00001'), entry('inc_00002', 'started')]);
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    // act: reopen
    await root.close();
    root = openRoot();
    const reopened = new RemediationStore(root);
    const next = await reopened.append([entry('inc_00001', 'succeeded')]);
    // verify
    expect(next[0]!.seq).toBe(4);
    expect(reopened.lastSeq()).toBe(4);
    expect(reopened.auditFor('inc_00002').map((e) => [e.seq, e.kind])).toEqual([
      [1, 'recommended'],
      [3, 'started'],
    ]);
    expect(reopened.auditFor('inc_00001').map((e) => e.seq)).toEqual([2, 4]);
    expect(reopened.auditFor('inc_00001', 1).map((e) => e.seq)).toEqual([4]);
    expect(reopened.auditSince(2).map((e) => [e.seq, e.incident_id])).toEqual([
      [3, 'inc_00002'],
      [4, 'inc_00001'],
    ]);
    expect(reopened.auditSince(0, 2).map((e) => e.seq)).toEqual([1, 2]);
    expect(reopened.auditFor('inc_00003')).toEqual([]);
  });

  it('action state is readable at once, before the commit, and durable after it', async () => {
    const store = new RemediationStore(root);
    expect(store.breaker('clear_cache')).toEqual({ consecutive_failures: 0, opened_at: null, open_until: null });
    expect(store.sourceState('clear_cache', 'checkout')).toBeUndefined();
    const pending = store.commit({
      breakers: [{ action_id: 'clear_cache', state: { consecutive_failures: 2, opened_at: null, open_until: null } }],
      sources: [{ action_id: 'clear_cache', source: 'checkout', state: { last_run_at: 1234 } }],
      incidents: [
        {
          action_id: 'clear_cache',
          incident_id: 'inc_00001',
          state: { auto_runs: 1, last_auto_run_at: 1234, recommended_at: 1000, last_outcome: null, last_outcome_at: null },
        },
      ],
    });
    // Visible synchronously: a decision taken right after must see it.
    expect(store.sourceState('clear_cache', 'checkout')).toEqual({ last_run_at: 1234 });
    expect(store.incidentState('clear_cache', 'inc_00001').auto_runs).toBe(1);
    await pending;
    await root.close();
    root = openRoot();
    const reopened = new RemediationStore(root);
    expect(reopened.breaker('clear_cache').consecutive_failures).toBe(2);
    expect(reopened.sourceState('clear_cache', 'checkout')).toEqual({ last_run_at: 1234 });
    expect(reopened.sourceState('clear_cache', 'payments')).toBeUndefined();
    expect(reopened.incidentState('clear_cache', 'inc_00002')).toMatchObject({ auto_runs: 0, last_outcome: null });
  });

  it('bounds keys built from telemetry (a huge source name)', async () => {
    const store = new RemediationStore(root);
    const huge = 'x'.repeat(100_000);
    await store.commit({ sources: [{ action_id: 'clear_cache', source: huge, state: { last_run_at: 1 } }] });
    expect(store.sourceState('clear_cache', huge)).toEqual({ last_run_at: 1 });
  });

  it('indexes pending approvals by expiry and drops them from the index once decided', async () => {
    const store = new RemediationStore(root);
    await store.commit({
      approvals: [request(), request({ incident_id: 'inc_00002', expires_at: 9000 }), request({ action_id: 'rollback_deployment', expires_at: 3000 })],
    });
    expect(store.dueApprovals(4999).map((r) => r.action_id)).toEqual(['rollback_deployment']);
    expect(store.dueApprovals(5000).map((r) => [r.incident_id, r.action_id])).toEqual([
      ['inc_00001', 'rollback_deployment'],
      ['inc_00001', 'restart_service'],
    ]);
    await store.commit({ approvals: [request({ status: 'approved', decided_by: 'alice', decided_at: 2000 })] });
    expect(store.approval('inc_00001', 'restart_service')).toMatchObject({ status: 'approved', decided_by: 'alice' });
    expect(store.dueApprovals(10_000).map((r) => r.incident_id)).toEqual(['inc_00001', 'inc_00002']);
    expect(store.approval('inc_00003', 'restart_service')).toBeUndefined();
  });

  it('commits audit entries and state in one transaction', async () => {
    const store = new RemediationStore(root);
    const entries = await store.commit({
      audit: [entry('inc_00001', 'started')],
      sources: [{ action_id: 'clear_cache', source: 'checkout', state: { last_run_at: 5 } }],
    });
    expect(entries).toHaveLength(1);
    expect(store.auditFor('inc_00001')).toEqual(entries);
    expect(await store.commit({})).toEqual([]);
  });
});
