import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, Incident } from '../engine/types.js';
import { RemediationStore } from '../store/remediation-store.js';
import { parseRemediationConfig } from './config.js';
import { RemediationRefused, createResponder, type Responder } from './responder.js';
import { MINUTE, SECOND, T0, testClock, testIncident, type TestClock } from '../test/helpers/respond-fixtures.js';

let dir: string;
let root: RootDatabase;
let runLog: string;
let broken: string;
let clock: TestClock;

const iso = (ms: number): string => new Date(ms).toISOString();

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Lines the scripts appended: `<action> <incident id> <args…>`. */
function runs(): string[] {
  return existsSync(runLog) ? readFileSync(runLog, 'utf8').split('\n').filter(Boolean) : [];
}

function kinds(entries: readonly AuditEntry[]): string[] {
  return entries.map((e) => `${e.action_id}:${e.kind}`);
}

/** A responder over real LMDB with real scripts; `actions` entries override the base ones by id. */
function responder(overrides: Record<string, unknown> = {}, actions: Record<string, unknown>[] = []): Responder {
  const record = script('record.sh', `echo "$ACTION $FIREWATCH_INCIDENT_ID $*" >> "$RUNLOG"`);
  const flaky = script('flaky.sh', `echo "$ACTION $FIREWATCH_INCIDENT_ID $*" >> "$RUNLOG"\nif [ -e "$BROKEN" ]; then echo "cache unreachable" >&2; exit 1; fi`);
  const slow = script('slow.sh', `sleep 0.3\necho "$ACTION $FIREWATCH_INCIDENT_ID" >> "$RUNLOG"`);
  const env = (action: string): Record<string, string> => ({ RUNLOG: runLog, BROKEN: broken, ACTION: action });
  const base: Record<string, Record<string, unknown>> = {
    clear_cache: { id: 'clear_cache', command: [flaky, '--service', '{{primary_source}}'], env: env('clear_cache'), cooldown_seconds: 60 },
    restart_service: { id: 'restart_service', command: [record, 'restart', '{{primary_source}}'], env: env('restart_service'), cooldown_seconds: 0 },
    kill_zombie_processes: { id: 'kill_zombie_processes', command: [slow], env: env('kill_zombie_processes'), cooldown_seconds: 0 },
    rollback_deployment: { id: 'rollback_deployment', http: { url: 'https://deploy.example.com/v1/rollback?token=s3cret', headers: { Authorization: 'Bearer t0ken' } } },
  };
  for (const action of actions) base[action.id as string] = { ...base[action.id as string], ...action };
  const config = parseRemediationConfig({ approvers: { medium: ['alice', 'bob'] }, ...overrides, actions: Object.values(base) });
  return createResponder({ config, store: new RemediationStore(root), clock, killGraceMs: 100 });
}

function incident(n: number, overrides: Partial<Incident> = {}): Incident {
  return testIncident({ incident_id: `inc_${String(n).padStart(5, '0')}`, ...overrides });
}

async function refusal(promise: Promise<unknown>): Promise<RemediationRefused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RemediationRefused) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firewatch-responder-'));
  root = open({ path: join(dir, 'db'), maxDbs: 12 });
  runLog = join(dir, 'runs.log');
  broken = join(dir, 'broken');
  clock = testClock(T0);
});

afterEach(async () => {
  await root.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('contain', () => {
  it('recommends, runs safe actions and asks approval for medium ones (error burst)', async () => {
    // prepare
    const r = responder();
    // act
    const outcome = await r.contain(incident(1));
    // verify
    expect(kinds(outcome.entries)).toEqual([
      'clear_cache:recommended',
      'restart_service:recommended',
      'clear_cache:started',
      'clear_cache:succeeded',
      'restart_service:approval_requested',
    ]);
    expect(outcome.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(runs()).toEqual(['clear_cache inc_00001 --service checkout']);
    expect(outcome.actions).toEqual([
      { action_id: 'clear_cache', status: 'succeeded', result: expect.stringMatching(/^exit 0 in \d+ ms$/), approved_by: null, at: T0 },
      {
        action_id: 'restart_service',
        status: 'approval_requested',
        result: `awaiting approval (expires ${iso(T0 + 1800 * SECOND)})`,
        approved_by: null,
        at: T0,
      },
    ]);
    expect(outcome.entries[4]!.detail).toBe(
      `medium risk: expires ${iso(T0 + 1800 * SECOND)}; approve with mitigate inc_00001 --action restart_service --approved-by NAME (allowed: alice, bob)`,
    );
    expect(r.audit('inc_00001')).toEqual(outcome.entries);
  });

  it('records skipped for recommended actions with nothing configured, and lists the manual steps', async () => {
    const r = responder();
    const outcome = await r.contain(incident(1, { incident_type: 'database_connection_failure' }));
    expect(kinds(outcome.entries)).toEqual(['scale_up:recommended', 'scale_up:skipped']);
    expect(outcome.entries[1]!.detail).toBe('no command or http configured for scale_up');
    expect(outcome.manual_steps).toEqual(['Check database status', 'Restart the database if needed']);
    const none = await r.contain(incident(2, { incident_type: 'security_breach' }));
    expect(none.entries).toEqual([]);
    expect(none.manual_steps).toContain('Preserve evidence');
  });

  it('with auto_remediate off runs nothing but still asks for approvals', async () => {
    const r = responder({ auto_remediate: false });
    const outcome = await r.contain(incident(1));
    expect(kinds(outcome.entries)).toEqual([
      'clear_cache:recommended',
      'restart_service:recommended',
      'clear_cache:skipped',
      'restart_service:approval_requested',
    ]);
    expect(runs()).toEqual([]);
  });

  it('flapping source: cooldown, then the breaker opens after the threshold, stays open until reset, half-open trial', async () => {
    // prepare: the cache is broken; incidents of the same source keep coming.
    writeFileSync(broken, '');
    const r = responder({}, [{ id: 'clear_cache', circuit_breaker: { failure_threshold: 3, reset_seconds: 600 } }]);
    const clearCache = (entries: readonly AuditEntry[]): AuditEntry[] =>
      entries.filter((e) => e.action_id === 'clear_cache' && e.kind !== 'recommended');

    // act + verify: first failure
    let out = await r.contain(incident(1));
    expect(clearCache(out.entries).map((e) => e.kind)).toEqual(['started', 'failed']);
    expect(clearCache(out.entries)[1]!.detail).toMatch(/^exit 1 in \d+ ms; stderr: cache unreachable$/);
    // 10 s later, another incident of the same source: cooldown
    clock.advance(10 * SECOND);
    out = await r.contain(incident(2));
    expect(clearCache(out.entries)).toMatchObject([{ kind: 'skipped', detail: `cooldown until ${iso(T0 + MINUTE)}` }]);
    // failures 2 and 3, one cooldown apart: the third opens the breaker
    clock.now = T0 + MINUTE;
    out = await r.contain(incident(3));
    expect(clearCache(out.entries).map((e) => e.kind)).toEqual(['started', 'failed']);
    clock.now = T0 + 2 * MINUTE;
    out = await r.contain(incident(4));
    const opened = clearCache(out.entries)[1]!;
    expect(opened.kind).toBe('failed');
    const openUntil = T0 + 2 * MINUTE + 600 * SECOND;
    expect(opened.detail).toMatch(new RegExp(`; circuit open until ${iso(openUntil)} after 3 consecutive failures$`));
    // later runs are held back until the reset, automatic and manual alike
    clock.now = T0 + 5 * MINUTE;
    out = await r.contain(incident(5));
    expect(clearCache(out.entries)).toMatchObject([{ kind: 'skipped', detail: `circuit open until ${iso(openUntil)}` }]);
    const refused = await refusal(r.mitigate(incident(5), 'clear_cache', { actor: 'oncall' }));
    expect(refused.code).toBe('circuit_open');
    expect(refused.message).toBe(`clear_cache circuit open until ${iso(openUntil)} after 3 consecutive failures`);
    expect(r.recommendations(incident(5)).find((v) => v.action_id === 'clear_cache')!.status).toBe(`circuit open until ${iso(openUntil)}`);
    expect(runs()).toHaveLength(3);

    // half-open: one trial; it fails and re-opens the breaker
    clock.now = openUntil + SECOND;
    out = await r.contain(incident(6));
    expect(clearCache(out.entries).map((e) => e.kind)).toEqual(['started', 'failed']);
    expect(clearCache(out.entries)[0]!.detail).toMatch(/\(circuit half-open: trial run\)$/);
    const reopenedUntil = openUntil + SECOND + 600 * SECOND;
    expect(clearCache(out.entries)[1]!.detail).toMatch(new RegExp(`circuit open until ${iso(reopenedUntil)} after 4 consecutive failures$`));
    // the cache is fixed; the next trial succeeds and closes it
    rmSync(broken);
    clock.now = reopenedUntil + SECOND;
    out = await r.contain(incident(7));
    expect(clearCache(out.entries)).toMatchObject([{ kind: 'started' }, { kind: 'succeeded', detail: expect.stringMatching(/; circuit closed$/) }]);
    clock.advance(2 * MINUTE);
    out = await r.contain(incident(8));
    expect(clearCache(out.entries).map((e) => e.kind)).toEqual(['started', 'succeeded']);
    expect(runs()).toHaveLength(6);
  });

  it('max_auto_runs with exponential backoff within one incident', async () => {
    const r = responder({}, [{ id: 'clear_cache', cooldown_seconds: 10, backoff_multiplier: 2, max_auto_runs: 3 }]);
    const subject = incident(1);
    const clearCache = async (): Promise<AuditEntry[]> =>
      (await r.contain(subject)).entries.filter((e) => e.action_id === 'clear_cache' && e.kind !== 'recommended');

    expect((await clearCache()).map((e) => e.kind)).toEqual(['started', 'succeeded']); // run 1 at T0
    clock.now = T0 + 10 * SECOND;
    expect(await clearCache()).toMatchObject([{ kind: 'skipped', detail: `backoff: run 2 waits until ${iso(T0 + 20 * SECOND)}` }]);
    clock.now = T0 + 20 * SECOND;
    expect((await clearCache()).map((e) => e.kind)).toEqual(['started', 'succeeded']); // run 2
    clock.now = T0 + 50 * SECOND;
    expect(await clearCache()).toMatchObject([{ kind: 'skipped', detail: `backoff: run 3 waits until ${iso(T0 + 60 * SECOND)}` }]);
    clock.now = T0 + 60 * SECOND;
    expect((await clearCache()).map((e) => e.kind)).toEqual(['started', 'succeeded']); // run 3
    clock.now = T0 + 60 * MINUTE;
    expect(await clearCache()).toMatchObject([{ kind: 'skipped', detail: 'max automatic runs (3) reached' }]);
    expect(runs()).toHaveLength(3);
    // recommended once per incident, however often containment is entered
    expect(r.audit('inc_00001').filter((e) => e.kind === 'recommended')).toHaveLength(2);
  });
});

describe('approvals', () => {
  it('a medium action is refused without --approved-by, refused for a non-approver, and runs for an allowed approver', async () => {
    const r = responder();
    await r.contain(incident(1));
    clock.advance(MINUTE);

    const missing = await refusal(r.mitigate(incident(1), 'restart_service', { actor: 'dave' }));
    expect(missing.code).toBe('needs_approval');
    expect(missing.message).toBe('restart_service is medium risk: it needs --approved-by NAME (allowed: alice, bob)');
    expect(missing.entry).toMatchObject({ kind: 'refused', actor: 'dave', detail: missing.message });

    const wrong = await refusal(r.mitigate(incident(1), 'restart_service', { actor: 'dave', approvedBy: 'carol' }));
    expect(wrong.message).toBe('carol may not approve restart_service (medium risk); allowed: alice, bob');
    expect(runs()).toEqual(['clear_cache inc_00001 --service checkout']);

    const outcome = await r.mitigate(incident(1), 'restart_service', { actor: 'dave', approvedBy: 'alice' });
    expect(outcome).toMatchObject({ status: 'succeeded', approved_by: 'alice', plan: { argv: [expect.stringMatching(/record\.sh$/), 'restart', 'checkout'] } });
    expect(outcome.action).toMatchObject({ action_id: 'restart_service', status: 'succeeded', approved_by: 'alice', at: T0 + MINUTE });
    expect(outcome.entries.map((e) => [e.kind, e.actor, e.approved_by])).toEqual([
      ['approved', 'dave', 'alice'],
      ['started', 'dave', 'alice'],
      ['succeeded', 'dave', 'alice'],
    ]);
    expect(runs()).toContain('restart_service inc_00001 restart checkout');
    expect(kinds(r.audit('inc_00001')).slice(-5)).toEqual([
      'restart_service:refused',
      'restart_service:refused',
      'restart_service:approved',
      'restart_service:started',
      'restart_service:succeeded',
    ]);
    // the pending request was answered: nothing left to expire
    clock.advance(3600 * SECOND);
    expect(await r.expireApprovals()).toEqual([]);
  });

  it('a pending request expires after the TTL', async () => {
    const r = responder({ approval_ttl_seconds: 600 });
    await r.contain(incident(1));
    const view = (): string => r.recommendations(incident(1)).find((v) => v.action_id === 'restart_service')!.status;
    expect(view()).toBe(`awaiting approval (expires ${iso(T0 + 600 * SECOND)})`);
    clock.now = T0 + 599 * SECOND;
    expect(await r.expireApprovals()).toEqual([]);
    clock.now = T0 + 600 * SECOND;
    const expired = await r.expireApprovals();
    expect(expired).toMatchObject([{ kind: 'expired', action_id: 'restart_service', actor: 'firewatch', risk: 'medium' }]);
    expect(expired[0]!.detail).toBe(`approval requested at ${iso(T0)} expired unanswered at ${iso(T0 + 600 * SECOND)}`);
    expect(await r.expireApprovals()).toEqual([]);
    expect(view()).toBe('approval expired');
    // containment entered again asks again
    const again = await r.contain(incident(1));
    expect(kinds(again.entries)).toContain('restart_service:approval_requested');
  });

  it('a per-action approver list overrides the section, and withdrawal refuses pending requests', async () => {
    const r = responder({}, [{ id: 'restart_service', approvers: ['lead'] }]);
    await r.contain(incident(1));
    const wrong = await refusal(r.mitigate(incident(1), 'restart_service', { actor: 'x', approvedBy: 'alice' }));
    expect(wrong.message).toBe('alice may not approve restart_service (medium risk); allowed: lead');
    const withdrawn = await r.withdrawApprovals(incident(1, { status: 'resolved' }));
    expect(withdrawn).toMatchObject([{ kind: 'refused', detail: 'approval request withdrawn: inc_00001 is resolved' }]);
    clock.advance(3600 * SECOND);
    expect(await r.expireApprovals()).toEqual([]);
  });
});

describe('mitigate', () => {
  it('dry run records exactly what would run and runs nothing', async () => {
    const r = responder();
    const hostile = incident(1, { root_cause: { ...testIncident().root_cause, primary_source: '$(touch pwned); rm -rf /' } });
    const outcome = await r.mitigate(hostile, 'clear_cache', { actor: 'dave', dryRun: true });
    expect(outcome.status).toBe('dry_run');
    expect(outcome.plan).toEqual({ argv: [expect.stringMatching(/flaky\.sh$/), '--service', '$(touch pwned); rm -rf /'] });
    expect(outcome.detail).toMatch(/^would run \/.*flaky\.sh --service "\$\(touch pwned\); rm -rf \/" \(timeout 60 s\)$/);
    expect(outcome.entries).toMatchObject([{ kind: 'dry_run', actor: 'dave' }]);
    // an HTTP action: method and endpoint, never the query or headers
    const http = await r.mitigate(incident(1), 'rollback_deployment', { actor: 'dave', dryRun: true, approvedBy: 'alice' });
    expect(http.detail).toBe('would send POST https://deploy.example.com/v1/rollback (timeout 60 s)');
    // a medium action without approval: the dry run says what a real run would need
    const unapproved = await r.mitigate(incident(1), 'restart_service', { actor: 'dave', dryRun: true });
    expect(unapproved.detail).toMatch(/; now: restart_service is medium risk: it needs --approved-by NAME \(allowed: alice, bob\)$/);
    expect(runs()).toEqual([]);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(JSON.stringify(r.audit('inc_00001'))).not.toMatch(/s3cret|t0ken/);
  });

  it('safe actions need no approval; cooldown refusals say until when', async () => {
    const r = responder();
    const first = await r.mitigate(incident(1), 'clear_cache', { actor: 'dave' });
    expect(first.status).toBe('succeeded');
    clock.advance(5 * SECOND);
    const again = await refusal(r.mitigate(incident(2), 'clear_cache', { actor: 'dave' }));
    expect(again.code).toBe('cooldown');
    expect(again.message).toBe(`clear_cache ran for checkout at ${iso(T0)}; cooldown until ${iso(T0 + MINUTE)}`);
    // a manual run does not use up automatic runs
    clock.now = T0 + 2 * MINUTE;
    const contained = await r.contain(incident(1));
    expect(kinds(contained.entries)).toContain('clear_cache:succeeded');
  });

  it('refuses unknown actions, closed incidents and types an action does not apply to, in one line each', async () => {
    const r = responder();
    const unknown = await refusal(r.mitigate(incident(1), 'reboot_world', { actor: 'dave' }));
    expect(unknown.message).toBe(
      'no action "reboot_world" (actions: scale_up, clear_cache, kill_zombie_processes, restart_service, rollback_deployment)',
    );
    expect(unknown.entry).toMatchObject({ kind: 'refused', action_id: 'reboot_world' });
    const closed = await refusal(r.mitigate(incident(1, { status: 'resolved' }), 'clear_cache', { actor: 'dave' }));
    expect(closed.message).toBe('inc_00001 is resolved: remediation runs only on open incidents');
    const notApplicable = await refusal(r.mitigate(incident(1, { incident_type: 'security_breach' }), 'clear_cache', { actor: 'dave' }));
    expect(notApplicable.message).toBe('clear_cache does not apply to security_breach incidents (applicable: rollback_deployment)');
    const skipped = await r.mitigate(incident(1, { incident_type: 'service_down' }), 'scale_up', { actor: 'dave' });
    expect(skipped).toMatchObject({ status: 'skipped', detail: 'no command or http configured for scale_up' });
    expect(runs()).toEqual([]);
  });

  it('one run of an action per incident at a time: a second request is refused while the first runs', async () => {
    const r = responder();
    const subject = incident(1, { incident_type: 'memory_exhaustion' });
    const first = r.mitigate(subject, 'kill_zombie_processes', { actor: 'dave' });
    const second = await refusal(r.mitigate(subject, 'kill_zombie_processes', { actor: 'erin' }));
    expect(second.message).toBe('kill_zombie_processes is already running for inc_00001');
    expect(r.recommendations(subject).find((v) => v.action_id === 'kill_zombie_processes')!.status).toBe('running');
    expect((await first).status).toBe('succeeded');
    expect(runs()).toEqual(['kill_zombie_processes inc_00001']);
    expect(r.recommendations(subject).find((v) => v.action_id === 'kill_zombie_processes')!.status).toBe('succeeded');
  });

  it('a command that overruns its timeout is killed and recorded as timed_out', async () => {
    const r = responder({}, [{ id: 'kill_zombie_processes', timeout_seconds: 0.1 }]);
    const outcome = await r.mitigate(incident(1, { incident_type: 'memory_exhaustion' }), 'kill_zombie_processes', { actor: 'dave' });
    expect(outcome).toMatchObject({ status: 'timed_out', detail: 'timed out after 100 ms; killed' });
    expect(runs()).toEqual([]);
  });
});

describe('views and restart', () => {
  it('lists recommended then applicable actions with effect, status and approvers', async () => {
    const r = responder();
    await r.contain(incident(1));
    expect(
      r.recommendations(incident(1)).map((v) => [v.action_id, v.risk, v.effect, v.recommended, v.approvers, v.status.replace(/\d{4}-.*Z/, 'T')]),
    ).toEqual([
      ['clear_cache', 'safe', 'flaky.sh', true, [], 'cooldown until T'],
      ['restart_service', 'medium', 'record.sh', true, ['alice', 'bob'], 'awaiting approval (expires T)'],
      ['rollback_deployment', 'medium', 'HTTP POST deploy.example.com', false, ['alice', 'bob'], 'available'],
    ]);
  });

  it('the audit trail and its numbering survive reopening the environment', async () => {
    await responder().contain(incident(1));
    await root.close();
    root = open({ path: join(dir, 'db'), maxDbs: 12 });
    const r = responder();
    expect(r.audit('inc_00001')).toHaveLength(5);
    clock.advance(10 * MINUTE);
    const outcome = await r.mitigate(incident(1), 'clear_cache', { actor: 'dave' });
    expect(outcome.entries.map((e) => e.seq)).toEqual([6, 7]);
  });
});
