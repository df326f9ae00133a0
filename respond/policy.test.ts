import { describe, expect, it } from 'vitest';
import { builtinActions } from './catalog.js';
import {
  backoffMs,
  breakerAfterRun,
  breakerPhase,
  decideAuto,
  decideManual,
  describeStatus,
  type ActionStateView,
  type ManualRequest,
} from './policy.js';
import { T0, SECOND, testIncident } from '../test/helpers/respond-fixtures.js';
import { CLOSED_BREAKER, EMPTY_INCIDENT_RUN_STATE } from '../store/remediation-types.js';
import type { ActionDefinition } from './types.js';

function action(overrides: Partial<ActionDefinition> = {}): ActionDefinition {
  const base = builtinActions().find((a) => a.id === 'clear_cache')!;
  return { ...base, command: ['/bin/true'], cooldown_seconds: 60, ...overrides };
}

function state(overrides: Partial<ActionStateView> = {}): ActionStateView {
  return {
    breaker: { ...CLOSED_BREAKER },
    source: undefined,
    incident: { ...EMPTY_INCIDENT_RUN_STATE },
    running: false,
    trialRunning: false,
    ...overrides,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('decideAuto', () => {
  const incident = testIncident();
  const cases: Array<{ name: string; action?: Partial<ActionDefinition>; state?: Partial<ActionStateView>; auto?: boolean; expected: unknown }> = [
    { name: 'runs a safe configured action', expected: { kind: 'run', trial: false } },
    { name: 'not configured', action: { command: null }, expected: { kind: 'skip', reason: 'no command or http configured for clear_cache' } },
    { name: 'medium asks for approval', action: { risk: 'medium' }, expected: { kind: 'request_approval' } },
    { name: 'auto_remediate off', auto: false, expected: { kind: 'skip', reason: 'auto_remediate is off: run it with mitigate' } },
    { name: 'already running', state: { running: true }, expected: { kind: 'skip', reason: 'already running' } },
    {
      name: 'max runs',
      state: { incident: { ...EMPTY_INCIDENT_RUN_STATE, auto_runs: 3, last_auto_run_at: T0 - 3600 * SECOND } },
      expected: { kind: 'skip', reason: 'max automatic runs (3) reached' },
    },
    {
      name: 'breaker open',
      state: { breaker: { consecutive_failures: 3, opened_at: T0, open_until: T0 + 5 * SECOND } },
      expected: { kind: 'skip', reason: `circuit open until ${iso(T0 + 5 * SECOND)}` },
    },
    {
      name: 'breaker half-open: a trial',
      state: { breaker: { consecutive_failures: 3, opened_at: T0 - 700 * SECOND, open_until: T0 - 100 * SECOND } },
      expected: { kind: 'run', trial: true },
    },
    {
      name: 'breaker half-open with a trial in flight',
      state: { breaker: { consecutive_failures: 3, opened_at: T0 - 700 * SECOND, open_until: T0 - 100 * SECOND }, trialRunning: true },
      expected: { kind: 'skip', reason: 'circuit half-open: a trial run is in progress' },
    },
    {
      name: 'backoff: second run waits cooldown × 2',
      state: { incident: { ...EMPTY_INCIDENT_RUN_STATE, auto_runs: 1, last_auto_run_at: T0 - 100 * SECOND } },
      expected: { kind: 'skip', reason: `backoff: run 2 waits until ${iso(T0 + 20 * SECOND)}` },
    },
    {
      name: 'cooldown per source',
      state: { source: { last_run_at: T0 - 10 * SECOND } },
      expected: { kind: 'skip', reason: `cooldown until ${iso(T0 + 50 * SECOND)}` },
    },
    { name: 'incident resolved', expected: { kind: 'skip', reason: 'inc_00001 is resolved' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const subject = c.name === 'incident resolved' ? testIncident({ status: 'resolved' }) : incident;
      expect(decideAuto(action(c.action), subject, state(c.state), T0, c.auto ?? true)).toEqual(c.expected);
    });
  }

  it('a silenced incident runs nothing by itself, even with auto_remediate on; approval requests are still filed', () => {
    const silenced = testIncident({ silenced_by: 'sil_00001' });
    expect(decideAuto(action(), silenced, state(), T0, true)).toEqual({
      kind: 'skip',
      reason: 'silenced by sil_00001: no action runs by itself (run it with mitigate)',
      heldBy: 'sil_00001',
    });
    expect(decideAuto(action({ risk: 'medium' }), silenced, state(), T0, true)).toEqual({ kind: 'request_approval' });
    expect(decideAuto(action(), testIncident({ silenced_by: null }), state(), T0, true)).toEqual({ kind: 'run', trial: false });
  });

  it('backoff grows by the multiplier', () => {
    const a = action({ cooldown_seconds: 10, backoff_multiplier: 3 });
    expect([1, 2, 3, 4].map((n) => backoffMs(a, n))).toEqual([10_000, 30_000, 90_000, 270_000]);
  });
});

describe('circuit breaker', () => {
  const a = action({ circuit_breaker: { failure_threshold: 2, reset_seconds: 60 } });
  it('opens at the threshold, half-opens after reset, a failed trial re-opens, a success closes', () => {
    let breaker = breakerAfterRun(CLOSED_BREAKER, a, 'failed', T0);
    expect(breakerPhase(breaker, T0).phase).toBe('closed');
    breaker = breakerAfterRun(breaker, a, 'timed_out', T0 + SECOND);
    expect(breakerPhase(breaker, T0 + SECOND)).toEqual({ phase: 'open', until: T0 + 61 * SECOND });
    expect(breakerPhase(breaker, T0 + 61 * SECOND).phase).toBe('half_open');
    breaker = breakerAfterRun(breaker, a, 'failed', T0 + 62 * SECOND);
    expect(breakerPhase(breaker, T0 + 62 * SECOND)).toEqual({ phase: 'open', until: T0 + 122 * SECOND });
    breaker = breakerAfterRun(breaker, a, 'succeeded', T0 + 130 * SECOND);
    expect(breaker).toEqual(CLOSED_BREAKER);
  });
});

describe('decideManual', () => {
  function request(overrides: Partial<ManualRequest> = {}): ManualRequest {
    return {
      action: action({ id: 'restart_service', risk: 'medium' }),
      actionId: 'restart_service',
      knownIds: ['clear_cache', 'restart_service'],
      applicableIds: ['clear_cache', 'restart_service'],
      incident: testIncident(),
      state: state(),
      approvers: ['alice', 'bob'],
      approvedBy: null,
      source: 'checkout',
      ...overrides,
    };
  }

  it('names what is missing in one line', () => {
    expect(decideManual(request(), T0)).toEqual({
      kind: 'needs_approval',
      message: 'restart_service is medium risk: it needs --approved-by NAME (allowed: alice, bob)',
    });
    expect(decideManual(request({ approvers: [] }), T0)).toMatchObject({ message: expect.stringMatching(/any named person may approve/) });
    expect(decideManual(request({ approvedBy: 'carol' }), T0)).toEqual({
      kind: 'refuse',
      code: 'not_an_approver',
      message: 'carol may not approve restart_service (medium risk); allowed: alice, bob',
    });
    expect(decideManual(request({ approvedBy: 'alice' }), T0)).toEqual({ kind: 'run', trial: false, approvedBy: 'alice' });
    expect(decideManual(request({ action: undefined, actionId: 'reboot' }), T0)).toEqual({
      kind: 'refuse',
      code: 'unknown_action',
      message: 'no action "reboot" (actions: clear_cache, restart_service)',
    });
    expect(decideManual(request({ incident: testIncident({ status: 'closed' }) }), T0)).toMatchObject({ code: 'incident_not_open' });
    expect(decideManual(request({ state: state({ running: true }) }), T0)).toMatchObject({
      message: 'restart_service is already running for inc_00001',
    });
    expect(decideManual(request({ approvedBy: 'alice', state: state({ source: { last_run_at: T0 - SECOND } }) }), T0)).toEqual({
      kind: 'refuse',
      code: 'cooldown',
      message: `restart_service ran for checkout at ${iso(T0 - SECOND)}; cooldown until ${iso(T0 + 59 * SECOND)}`,
    });
    expect(
      decideManual(request({ approvedBy: 'bob', state: state({ breaker: { consecutive_failures: 3, opened_at: T0, open_until: T0 + SECOND } }) }), T0),
    ).toMatchObject({ code: 'circuit_open', message: `restart_service circuit open until ${iso(T0 + SECOND)} after 3 consecutive failures` });
  });

  it('does not run an action for a type it does not apply to', () => {
    const narrow = action({ applies_to: ['cache_failure'] });
    expect(decideManual(request({ action: narrow, actionId: 'clear_cache', applicableIds: ['restart_service'] }), T0)).toEqual({
      kind: 'refuse',
      code: 'not_applicable',
      message: 'clear_cache does not apply to error_burst incidents (applicable: restart_service)',
    });
  });
});

describe('describeStatus', () => {
  it('labels what holds an action back', () => {
    const a = action();
    expect(describeStatus(a, state(), undefined, T0).label).toBe('available');
    expect(describeStatus(action({ command: null }), state(), undefined, T0).label).toBe('not configured');
    const pending = {
      incident_id: 'inc_00001',
      action_id: 'clear_cache',
      requested_at: T0,
      expires_at: T0 + 10 * SECOND,
      status: 'pending' as const,
      decided_by: null,
      decided_at: null,
    };
    expect(describeStatus(a, state(), pending, T0).label).toBe(`awaiting approval (expires ${iso(T0 + 10 * SECOND)})`);
    expect(describeStatus(a, state(), pending, T0 + 10 * SECOND).label).toBe('approval expired');
    expect(describeStatus(a, state({ source: { last_run_at: T0 } }), undefined, T0).label).toBe(`cooldown until ${iso(T0 + 60 * SECOND)}`);
    expect(describeStatus(a, state({ running: true }), undefined, T0).label).toBe('running');
    expect(
      describeStatus(a, state({ incident: { ...EMPTY_INCIDENT_RUN_STATE, last_outcome: 'failed', last_outcome_at: T0 } }), undefined, T0).label,
    ).toBe('failed');
  });
});
