// Remediation decisions, pure: no I/O, the time is passed in. The responder reads the persisted state, asks here,
// and records what was decided.
//
//   automatic (containment):  not configured → skip · medium/high → request approval · silenced → skip
//                             · auto_remediate off → skip · running → skip · max runs → skip · breaker open → skip · backoff → skip
//                             · cooldown → skip · else run (a trial when the breaker is half-open)
//   manual (mitigate):        unknown action, incident not open, not applicable → refuse · running → refuse
//                             · medium/high without --approved-by → needs approval · wrong approver → refuse
//                             · breaker open → refuse · cooldown → refuse · not configured → skip · else run
//
// Circuit breaker, per action across incidents: `failure_threshold` consecutive failed runs open it for
// `reset_seconds`; then it is half-open: one trial run goes through, success closes it, failure re-opens it.

import type { ApproversConfig } from './config.js';
import { appliesTo } from './config.js';
import { iso } from './text.js';
import {
  CLOSED_BREAKER,
  type ApprovalRequest,
  type BreakerState,
  type IncidentRunState,
  type RunOutcome,
  type SourceRunState,
} from '../store/remediation-types.js';
import { isConfigured, type ActionDefinition } from './types.js';
import { isOpenStatus, type Incident, type Risk } from '../engine/index.js';

const SECOND = 1000;

/** What the policy needs to know about one action for one incident. */
export interface ActionStateView {
  breaker: BreakerState;
  /** Last start for the incident's primary source; undefined if it never ran for it. */
  source: SourceRunState | undefined;
  incident: IncidentRunState;
  /** A run of this action for this incident is in progress. */
  running: boolean;
  /** A half-open trial run of this action (for any incident) is in progress. */
  trialRunning: boolean;
}

export type BreakerPhase = { phase: 'closed' } | { phase: 'open'; until: number } | { phase: 'half_open' };

export function breakerPhase(breaker: BreakerState, now: number): BreakerPhase {
  if (breaker.open_until === null) return { phase: 'closed' };
  return now < breaker.open_until ? { phase: 'open', until: breaker.open_until } : { phase: 'half_open' };
}

/** The breaker after a run that started while it was in `breaker`'s state ended with `outcome` at `now`. */
export function breakerAfterRun(breaker: BreakerState, action: ActionDefinition, outcome: RunOutcome, now: number): BreakerState {
  if (outcome === 'succeeded') return { ...CLOSED_BREAKER };
  const failures = breaker.consecutive_failures + 1;
  // A failed half-open trial re-opens it at once; otherwise the threshold decides.
  if (breaker.open_until !== null || failures >= action.circuit_breaker.failure_threshold) {
    const until = now + action.circuit_breaker.reset_seconds * SECOND;
    return { consecutive_failures: failures, opened_at: now, open_until: Math.max(until, breaker.open_until ?? 0) };
  }
  return { consecutive_failures: failures, opened_at: breaker.opened_at, open_until: null };
}

/** Gap the nth automatic run in one incident keeps after the previous automatic run: cooldown × multiplier^(n-1). */
export function backoffMs(action: ActionDefinition, n: number): number {
  return action.cooldown_seconds * SECOND * action.backoff_multiplier ** Math.max(0, n - 1);
}

export function notConfiguredReason(action: ActionDefinition): string {
  return `no command or http configured for ${action.id}`;
}

// ---- automatic runs --------------------------------------------------------------------------------------------

export type AutoDecision =
  | { kind: 'run'; trial: boolean }
  | { kind: 'request_approval' }
  /** `heldBy`: the silence (maintenance window) that held it back, when that is why. */
  | { kind: 'skip'; reason: string; heldBy?: string };

export function decideAuto(
  action: ActionDefinition,
  incident: Incident,
  state: ActionStateView,
  now: number,
  autoRemediate: boolean,
): AutoDecision {
  if (!isOpenStatus(incident.status)) return { kind: 'skip', reason: `${incident.incident_id} is ${incident.status}` };
  if (!isConfigured(action)) return { kind: 'skip', reason: notConfiguredReason(action) };
  if (action.risk !== 'safe') return { kind: 'request_approval' };
  // A maintenance window: people are working on it; nothing runs by itself (approval requests are still filed).
  const silence = incident.silenced_by ?? null;
  if (silence !== null) return { kind: 'skip', reason: `silenced by ${silence}: no action runs by itself (run it with mitigate)`, heldBy: silence };
  if (!autoRemediate) return { kind: 'skip', reason: 'auto_remediate is off: run it with mitigate' };
  if (state.running) return { kind: 'skip', reason: 'already running' };
  if (state.incident.auto_runs >= action.max_auto_runs) {
    return { kind: 'skip', reason: `max automatic runs (${action.max_auto_runs}) reached` };
  }
  const breaker = breakerPhase(state.breaker, now);
  if (breaker.phase === 'open') return { kind: 'skip', reason: `circuit open until ${iso(breaker.until)}` };
  if (breaker.phase === 'half_open' && state.trialRunning) {
    return { kind: 'skip', reason: 'circuit half-open: a trial run is in progress' };
  }
  const n = state.incident.auto_runs + 1;
  if (n > 1 && state.incident.last_auto_run_at !== null) {
    const until = state.incident.last_auto_run_at + backoffMs(action, n);
    if (now < until) return { kind: 'skip', reason: `backoff: run ${n} waits until ${iso(until)}` };
  }
  const cooldownUntil = cooldownEnd(action, state.source);
  if (cooldownUntil !== null && now < cooldownUntil) return { kind: 'skip', reason: `cooldown until ${iso(cooldownUntil)}` };
  return { kind: 'run', trial: breaker.phase === 'half_open' };
}

function cooldownEnd(action: ActionDefinition, source: SourceRunState | undefined): number | null {
  return source === undefined ? null : source.last_run_at + action.cooldown_seconds * SECOND;
}

// ---- manual runs -----------------------------------------------------------------------------------------------

export type RefusalCode =
  | 'unknown_action'
  | 'incident_not_open'
  | 'not_applicable'
  | 'running'
  | 'needs_approval'
  | 'not_an_approver'
  | 'circuit_open'
  | 'cooldown';

export type ManualDecision =
  | { kind: 'run'; trial: boolean; approvedBy: string | null }
  | { kind: 'needs_approval'; message: string }
  | { kind: 'refuse'; code: Exclude<RefusalCode, 'needs_approval'>; message: string }
  | { kind: 'skip'; reason: string };

export interface ManualRequest {
  /** The action named, undefined when none has that id. */
  action: ActionDefinition | undefined;
  /** What the operator typed (for the message when it does not exist). */
  actionId: string;
  /** Every configured action id, for the message when it does not exist. */
  knownIds: readonly string[];
  /** Actions that apply to the incident, for the message when this one does not. */
  applicableIds: readonly string[];
  incident: Incident;
  state: ActionStateView;
  /** Who may approve this action (empty: any named person). */
  approvers: readonly string[];
  /** `--approved-by`, trimmed; null when absent. */
  approvedBy: string | null;
  /** Primary source of the incident, for the cooldown message. */
  source: string;
}

export function decideManual(request: ManualRequest, now: number): ManualDecision {
  const { action, incident, state, approvedBy } = request;
  if (action === undefined) {
    return {
      kind: 'refuse',
      code: 'unknown_action',
      message: `no action ${JSON.stringify(request.actionId)} (actions: ${request.knownIds.join(', ') || 'none'})`,
    };
  }
  if (!isOpenStatus(incident.status)) {
    return {
      kind: 'refuse',
      code: 'incident_not_open',
      message: `${incident.incident_id} is ${incident.status}: remediation runs only on open incidents`,
    };
  }
  if (!appliesTo(action, incident.incident_type)) {
    return {
      kind: 'refuse',
      code: 'not_applicable',
      message: `${action.id} does not apply to ${incident.incident_type} incidents (applicable: ${request.applicableIds.join(', ') || 'none'})`,
    };
  }
  if (state.running) {
    return { kind: 'refuse', code: 'running', message: `${action.id} is already running for ${incident.incident_id}` };
  }
  if (action.risk !== 'safe') {
    if (approvedBy === null) return { kind: 'needs_approval', message: needsApprovalMessage(action.id, action.risk, request.approvers) };
    if (!mayApprove(request.approvers, approvedBy)) {
      return {
        kind: 'refuse',
        code: 'not_an_approver',
        message: `${approvedBy} may not approve ${action.id} (${action.risk} risk); allowed: ${request.approvers.join(', ')}`,
      };
    }
  }
  const breaker = breakerPhase(state.breaker, now);
  if (breaker.phase === 'open') {
    return {
      kind: 'refuse',
      code: 'circuit_open',
      message: `${action.id} circuit open until ${iso(breaker.until)} after ${state.breaker.consecutive_failures} consecutive failures`,
    };
  }
  if (breaker.phase === 'half_open' && state.trialRunning) {
    return { kind: 'refuse', code: 'circuit_open', message: `${action.id} circuit is half-open and its trial run is in progress` };
  }
  const cooldownUntil = cooldownEnd(action, state.source);
  if (cooldownUntil !== null && now < cooldownUntil) {
    return {
      kind: 'refuse',
      code: 'cooldown',
      message: `${action.id} ran for ${request.source || 'this source'} at ${iso(state.source!.last_run_at)}; cooldown until ${iso(cooldownUntil)}`,
    };
  }
  if (!isConfigured(action)) return { kind: 'skip', reason: notConfiguredReason(action) };
  return { kind: 'run', trial: breaker.phase === 'half_open', approvedBy };
}

export function needsApprovalMessage(actionId: string, risk: Risk, approvers: readonly string[]): string {
  return `${actionId} is ${risk} risk: it needs --approved-by NAME (${approverList(approvers)})`;
}

export function approverList(approvers: readonly string[]): string {
  return approvers.length === 0 ? 'any named person may approve' : `allowed: ${approvers.join(', ')}`;
}

export function mayApprove(approvers: readonly string[], name: string): boolean {
  return name !== '' && (approvers.length === 0 || approvers.includes(name));
}

/** Who may approve an action: its own list, else the section's list for its risk. Empty: any named person. */
export function approversFor(action: ActionDefinition, defaults: ApproversConfig): string[] {
  if (action.approvers !== null) return action.approvers;
  if (action.risk === 'high') return defaults.high;
  if (action.risk === 'medium') return defaults.medium;
  return [];
}

// ---- status for `mitigate --list-actions` ---------------------------------------------------------------------

export type ActionStatusKind =
  | 'not_configured'
  | 'running'
  | 'circuit_open'
  | 'awaiting_approval'
  | 'cooldown'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'approval_expired'
  | 'available';

export interface ActionStatus {
  kind: ActionStatusKind;
  /** `available`, `awaiting approval (expires …)`, `cooldown until …`, … */
  label: string;
  /** When the status changes by itself (approval expiry, cooldown or breaker end); null when it does not. */
  until: number | null;
}

export function describeStatus(
  action: ActionDefinition,
  state: ActionStateView,
  approval: ApprovalRequest | undefined,
  now: number,
): ActionStatus {
  if (!isConfigured(action)) return { kind: 'not_configured', label: 'not configured', until: null };
  if (state.running) return { kind: 'running', label: 'running', until: null };
  const breaker = breakerPhase(state.breaker, now);
  if (breaker.phase === 'open') return { kind: 'circuit_open', label: `circuit open until ${iso(breaker.until)}`, until: breaker.until };
  if (approval?.status === 'pending' && now < approval.expires_at) {
    return { kind: 'awaiting_approval', label: `awaiting approval (expires ${iso(approval.expires_at)})`, until: approval.expires_at };
  }
  const cooldownUntil = cooldownEnd(action, state.source);
  if (cooldownUntil !== null && now < cooldownUntil) return { kind: 'cooldown', label: `cooldown until ${iso(cooldownUntil)}`, until: cooldownUntil };
  const outcome = state.incident.last_outcome;
  if (outcome === 'succeeded') return { kind: 'succeeded', label: 'succeeded', until: null };
  if (outcome === 'failed') return { kind: 'failed', label: 'failed', until: null };
  if (outcome === 'timed_out') return { kind: 'timed_out', label: 'timed out', until: null };
  if (approval !== undefined && (approval.status === 'expired' || (approval.status === 'pending' && now >= approval.expires_at))) {
    return { kind: 'approval_expired', label: 'approval expired', until: null };
  }
  return { kind: 'available', label: 'available', until: null };
}
