// The remediation orchestrator the daemon calls: containment's automatic runs and approval requests, the manual
// `mitigate` path, approval expiry, and the audit trail.
//
//   contain(incident) ─┬─ recommended (once per incident and action)
//                      ├─ safe ──policy.decideAuto──▶ run ──▶ started · succeeded|failed|timed_out   (or skipped)
//                      └─ medium/high ──▶ approval_requested (expires after approval_ttl_seconds)
//   mitigate(incident, action, {actor, approvedBy, dryRun}) ──policy.decideManual──▶ run | dry_run | skipped
//                      └─ refused: recorded, then thrown as RemediationRefused (one line)
//   expireApprovals() ── pending requests past their TTL ──▶ expired
//
// Each step's decision is taken and its start recorded in one synchronous stretch (no await between reading the
// state and writing it), so concurrent calls cannot both pass a cooldown or start the same run twice. A run in
// progress is remembered in memory only: after a restart nothing is running, so nothing can stay "running".

import { basename } from 'node:path';
import type { AuditDraft, RemediationChange, RemediationStore } from '../store/remediation-store.js';
import { manualSteps } from './catalog.js';
import { runCommand as realRunCommand, type RunCommand } from './command-runner.js';
import { appliesTo, type RemediationConfig } from './config.js';
import { describeHttp, httpBody, runHttp as realRunHttp, summarizeHttp, type RunHttp } from './http-runner.js';
import { incidentEnv, incidentValues, primarySource, substituteArgv } from './placeholders.js';
import {
  approverList,
  approversFor,
  breakerAfterRun,
  decideAuto,
  decideManual,
  describeStatus,
  type ActionStateView,
  type ActionStatusKind,
  type RefusalCode,
} from './policy.js';
import { bound, formatArgv, iso, oneLine } from './text.js';
import { CLOSED_BREAKER, EMPTY_INCIDENT_RUN_STATE, type ApprovalRequest, type RunOutcome } from '../store/remediation-types.js';
import type { ActionDefinition } from './types.js';
import { SYSTEM_ACTOR, isOpenStatus, type AuditEntry, type AuditKind, type Incident, type IncidentAction, type Risk } from '../engine/index.js';

const SECOND = 1000;
const MAX_ACTOR_LENGTH = 100;
const MAX_DETAIL_LENGTH = 1000;

/** The daemon's logger shape (daemon/log.ts), declared here so respond/ does not import the daemon. */
export interface RemediationLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface ResponderOptions {
  config: RemediationConfig;
  store: RemediationStore;
  /** epoch ms; default Date.now */
  clock?: () => number;
  runCommand?: RunCommand;
  runHttp?: RunHttp;
  log?: RemediationLog;
  /** Working directory for commands (relative programs like ./scripts/x.sh resolve against it). Default: the daemon's. */
  cwd?: string;
  /** SIGTERM → SIGKILL grace after a command's timeout. Default 2000 ms. */
  killGraceMs?: number;
  /** Called with every batch of audit entries once it is on disk (watchers, the TUI). */
  onAudit?: (entries: readonly AuditEntry[]) => void;
}

/** One row of `mitigate --list-actions`. */
export interface ActionView {
  action_id: string;
  description: string;
  risk: Risk;
  /** `clear-cache.sh`, `HTTP POST ops.example.com`, or `not configured`. */
  effect: string;
  /** `available`, `awaiting approval (expires …)`, `approval expired`, `cooldown until …`, `circuit open until …`, … */
  status: string;
  status_kind: ActionStatusKind;
  /** epoch ms when the status changes by itself (expiry, cooldown, breaker), else null. */
  status_until: number | null;
  /** In the type's recommendation table (else merely applicable). */
  recommended: boolean;
  requires_approval: boolean;
  /** Who may approve (empty with requires_approval: any named person). */
  approvers: string[];
}

export interface ContainOutcome {
  /** What was recorded, in order. */
  entries: AuditEntry[];
  /** One per recommended action, for the incident's `actions`. */
  actions: IncidentAction[];
  /** What people must do by hand for this type. */
  manual_steps: readonly string[];
  /** Safe actions a silence held back (each also recorded as `skipped`). */
  held_by_silence: number;
}

export interface MitigateOptions {
  /** Who asked (the operator); recorded in the audit. */
  actor: string;
  /** `--approved-by`: required for medium and high risk actions. */
  approvedBy?: string | null;
  /** Record what would run, run nothing. */
  dryRun?: boolean;
}

export type MitigateStatus = RunOutcome | 'skipped' | 'dry_run';

export interface MitigateOutcome {
  action_id: string;
  status: MitigateStatus;
  /** One line: the command's exit status and output, the HTTP status, what would run… */
  detail: string;
  approved_by: string | null;
  /** What runs (or would): the argv after substitution, or `POST https://host/path`; null when not configured. */
  plan: { argv: string[] } | { http: string } | null;
  entries: AuditEntry[];
  /** For the incident's `actions`. */
  action: IncidentAction;
}

/** A manual request that was refused; the message is one line, and the refusal is in the audit. */
export class RemediationRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly entry: AuditEntry | null,
  ) {
    super(message);
    this.name = 'RemediationRefused';
  }
}

type Plan = MitigateOutcome['plan'];

interface RunRequest {
  action: ActionDefinition;
  incident: Incident;
  mode: 'auto' | 'manual';
  actor: string;
  approvedBy: string | null;
  trial: boolean;
  /** Entries to record with `started` (e.g. `approved`). */
  before: AuditDraft[];
  /** Approval request to mark approved with the start. */
  approval: ApprovalRequest | null;
}

interface RunEnd {
  outcome: RunOutcome;
  detail: string;
  entries: AuditEntry[];
  at: number;
}

export class Responder {
  private readonly config: RemediationConfig;
  private readonly store: RemediationStore;
  private readonly clock: () => number;
  private readonly runCommand: RunCommand;
  private readonly runHttp: RunHttp;
  private readonly log: RemediationLog | undefined;
  private readonly cwd: string | undefined;
  private readonly killGraceMs: number | undefined;
  private readonly onAudit: ResponderOptions['onAudit'];
  private readonly actions: ReadonlyMap<string, ActionDefinition>;
  /** `action_id \0 incident_id` → the run in progress. */
  private readonly running = new Map<string, Promise<RunEnd>>();
  /** Actions whose half-open trial run is in progress. */
  private readonly trials = new Set<string>();

  constructor(options: ResponderOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.runCommand = options.runCommand ?? realRunCommand;
    this.runHttp = options.runHttp ?? realRunHttp;
    this.log = options.log;
    this.cwd = options.cwd;
    this.killGraceMs = options.killGraceMs;
    this.onAudit = options.onAudit;
    this.actions = new Map(options.config.actions.map((action) => [action.id, action]));
  }

  // ---- views -------------------------------------------------------------------------------------------------

  /** Actions that apply to the incident: recommended ones first (in run order), then the merely applicable. */
  recommendations(incident: Incident): ActionView[] {
    const now = this.clock();
    const recommended = this.config.recommendations[incident.incident_type];
    const ordered = [
      ...recommended.map((id) => this.actions.get(id)).filter((action): action is ActionDefinition => action !== undefined),
      ...this.config.actions.filter((action) => !recommended.includes(action.id) && appliesTo(action, incident.incident_type)),
    ];
    return ordered.map((action) => {
      const status = describeStatus(
        action,
        this.stateView(action, incident),
        this.store.approval(incident.incident_id, action.id),
        now,
      );
      return {
        action_id: action.id,
        description: action.description,
        risk: action.risk,
        effect: effectSummary(action),
        status: status.label,
        status_kind: status.kind,
        status_until: status.until,
        recommended: recommended.includes(action.id),
        requires_approval: action.risk !== 'safe',
        approvers: action.risk === 'safe' ? [] : approversFor(action, this.config.approvers),
      };
    });
  }

  /** What people must do by hand for this incident's type. */
  manualSteps(incident: Incident): readonly string[] {
    return manualSteps(incident.incident_type);
  }

  /** The incident's audit trail, oldest first (the most recent `limit` when given). */
  audit(incidentId: string, limit = 0): AuditEntry[] {
    return this.store.auditFor(incidentId, limit);
  }

  // ---- containment -------------------------------------------------------------------------------------------

  /** The containment stage: recommend, run safe actions (policy permitting), request approval for the rest. */
  async contain(incident: Incident): Promise<ContainOutcome> {
    const outcome: ContainOutcome = { entries: [], actions: [], manual_steps: manualSteps(incident.incident_type), held_by_silence: 0 };
    if (!isOpenStatus(incident.status)) return outcome;
    const actions = this.config.recommendations[incident.incident_type]
      .map((id) => this.actions.get(id))
      .filter((action): action is ActionDefinition => action !== undefined);

    // Recommend once per incident and action: containment may be entered again (e.g. after a failed recovery).
    const now = this.clock();
    const firstTime = actions.filter((action) => this.store.incidentState(action.id, incident.incident_id).recommended_at === null);
    if (firstTime.length > 0) {
      outcome.entries.push(
        ...(await this.record({
          audit: firstTime.map((action) =>
            draft(now, incident, action, 'recommended', SYSTEM_ACTOR, null, `${action.description} (${action.risk} risk, ${effectSummary(action)})`),
          ),
          incidents: firstTime.map((action) => ({
            action_id: action.id,
            incident_id: incident.incident_id,
            state: { ...this.store.incidentState(action.id, incident.incident_id), recommended_at: now },
          })),
        })),
      );
    }

    // One after another, in the table's order (the seed's scenarios: scale up first, then restart…).
    for (const action of actions) {
      const at = this.clock();
      const decision = decideAuto(action, incident, this.stateView(action, incident), at, this.config.auto_remediate);
      switch (decision.kind) {
        case 'skip': {
          if (decision.heldBy !== undefined) outcome.held_by_silence++;
          const entries = await this.record({ audit: [draft(at, incident, action, 'skipped', SYSTEM_ACTOR, null, decision.reason)] });
          outcome.entries.push(...entries);
          outcome.actions.push(incidentAction(action.id, 'skipped', decision.reason, null, at));
          break;
        }
        case 'request_approval': {
          const requested = await this.requestApproval(action, incident, at);
          outcome.entries.push(...requested.entries);
          outcome.actions.push(incidentAction(action.id, 'approval_requested', requested.detail, null, at));
          break;
        }
        case 'run': {
          const end = await this.execute({
            action,
            incident,
            mode: 'auto',
            actor: SYSTEM_ACTOR,
            approvedBy: null,
            trial: decision.trial,
            before: [],
            approval: null,
          });
          outcome.entries.push(...end.entries);
          outcome.actions.push(incidentAction(action.id, end.outcome, end.detail, null, end.at));
          break;
        }
      }
    }
    return outcome;
  }

  private async requestApproval(
    action: ActionDefinition,
    incident: Incident,
    now: number,
  ): Promise<{ entries: AuditEntry[]; detail: string }> {
    const existing = this.store.approval(incident.incident_id, action.id);
    if (existing?.status === 'pending' && now < existing.expires_at) {
      return { entries: [], detail: `awaiting approval (expires ${iso(existing.expires_at)})` };
    }
    const request: ApprovalRequest = {
      incident_id: incident.incident_id,
      action_id: action.id,
      requested_at: now,
      expires_at: now + this.config.approval_ttl_seconds * SECOND,
      status: 'pending',
      decided_by: null,
      decided_at: null,
    };
    const approvers = approversFor(action, this.config.approvers);
    const detail =
      `${action.risk} risk: expires ${iso(request.expires_at)}; approve with ` +
      `mitigate ${incident.incident_id} --action ${action.id} --approved-by NAME (${approverList(approvers)})`;
    const entries = await this.record({
      audit: [draft(now, incident, action, 'approval_requested', SYSTEM_ACTOR, null, detail)],
      approvals: [request],
    });
    return { entries, detail: `awaiting approval (expires ${iso(request.expires_at)})` };
  }

  // ---- manual runs -------------------------------------------------------------------------------------------

  /**
   * Runs one action by hand (`firewatch incidents mitigate`). Resolves with the run's outcome (also `skipped`
   * when the action has no effect configured, or `dry_run`); throws RemediationRefused, after recording it, when
   * it may not run now.
   */
  async mitigate(incident: Incident, actionId: string, options: MitigateOptions): Promise<MitigateOutcome> {
    const now = this.clock();
    const actor = personName(options.actor) || 'unknown';
    const approvedBy = personName(options.approvedBy ?? '') || null;
    const action = this.actions.get(actionId);
    const source = primarySource(incident);
    const state = action ? this.stateView(action, incident) : emptyStateView();
    const decision = decideManual(
      {
        action,
        actionId: oneLine(bound(actionId, 64)),
        knownIds: [...this.actions.keys()],
        applicableIds: this.config.actions.filter((a) => appliesTo(a, incident.incident_type)).map((a) => a.id),
        incident,
        state,
        approvers: action ? approversFor(action, this.config.approvers) : [],
        approvedBy,
        source: oneLine(source),
      },
      now,
    );

    // A dry run still refuses what could never run (unknown action, closed incident, wrong approver), and says
    // what would hold a real run back now.
    if (options.dryRun && action !== undefined && decision.kind !== 'refuse') {
      return this.dryRun(action, incident, actor, approvedBy, now, decision.kind === 'needs_approval' ? decision.message : null);
    }
    if (options.dryRun && action !== undefined && decision.kind === 'refuse' && isTransient(decision.code)) {
      return this.dryRun(action, incident, actor, approvedBy, now, decision.message);
    }

    switch (decision.kind) {
      case 'refuse':
      case 'needs_approval': {
        const code: RefusalCode = decision.kind === 'needs_approval' ? 'needs_approval' : decision.code;
        const message = oneLine(decision.message);
        const target = action ?? unknownAction(oneLine(bound(actionId, 64)));
        const [entry] = await this.record({ audit: [draft(now, incident, target, 'refused', actor, null, message)] });
        this.log?.warn('remediation refused', { incident: incident.incident_id, action: target.id, actor, reason: message });
        throw new RemediationRefused(code, message, entry ?? null);
      }
      case 'skip': {
        const target = action!;
        const entries = await this.record({ audit: [draft(now, incident, target, 'skipped', actor, approvedBy, decision.reason)] });
        return {
          action_id: target.id,
          status: 'skipped',
          detail: decision.reason,
          approved_by: approvedBy,
          plan: null,
          entries,
          action: incidentAction(target.id, 'skipped', decision.reason, approvedBy, now),
        };
      }
      case 'run': {
        const target = action!;
        const before: AuditDraft[] = [];
        let approval: ApprovalRequest | null = null;
        if (target.risk !== 'safe' && decision.approvedBy !== null) {
          before.push(draft(now, incident, target, 'approved', actor, decision.approvedBy, `approved by ${decision.approvedBy}`));
          const pending = this.store.approval(incident.incident_id, target.id);
          if (pending?.status === 'pending') {
            approval = { ...pending, status: 'approved', decided_by: decision.approvedBy, decided_at: now };
          }
        }
        const end = await this.execute({
          action: target,
          incident,
          mode: 'manual',
          actor,
          approvedBy: decision.approvedBy,
          trial: decision.trial,
          before,
          approval,
        });
        return {
          action_id: target.id,
          status: end.outcome,
          detail: end.detail,
          approved_by: decision.approvedBy,
          plan: this.plan(target, incident),
          entries: end.entries,
          action: incidentAction(target.id, end.outcome, end.detail, decision.approvedBy, end.at),
        };
      }
    }
  }

  private async dryRun(
    action: ActionDefinition,
    incident: Incident,
    actor: string,
    approvedBy: string | null,
    now: number,
    holdBack: string | null,
  ): Promise<MitigateOutcome> {
    const plan = this.plan(action, incident);
    const what =
      plan === null
        ? `nothing would run: no command or http configured for ${action.id}`
        : 'argv' in plan
          ? `would run ${formatArgv(plan.argv)} (timeout ${action.timeout_seconds} s)`
          : `would send ${plan.http} (timeout ${action.timeout_seconds} s)`;
    const detail = holdBack === null ? what : `${what}; now: ${oneLine(holdBack)}`;
    const entries = await this.record({ audit: [draft(now, incident, action, 'dry_run', actor, approvedBy, detail)] });
    return {
      action_id: action.id,
      status: 'dry_run',
      detail,
      approved_by: approvedBy,
      plan,
      entries,
      action: incidentAction(action.id, 'dry_run', detail, approvedBy, now),
    };
  }

  private plan(action: ActionDefinition, incident: Incident): Plan {
    if (action.command !== null) return { argv: substituteArgv(action.command, incidentValues(incident)) };
    if (action.http !== null) return { http: describeHttp(action.http) };
    return null;
  }

  // ---- approvals ---------------------------------------------------------------------------------------------

  /** Pending approval requests past their TTL become `expired`. Call it periodically. */
  async expireApprovals(): Promise<AuditEntry[]> {
    const now = this.clock();
    const due = this.store.dueApprovals(now);
    if (due.length === 0) return [];
    return this.record({
      approvals: due.map((request) => ({ ...request, status: 'expired' as const, decided_at: now })),
      audit: due.map((request) => ({
        at: now,
        incident_id: request.incident_id,
        action_id: request.action_id,
        kind: 'expired' as const,
        actor: SYSTEM_ACTOR,
        risk: this.actions.get(request.action_id)?.risk ?? 'high',
        approved_by: null,
        detail: `approval requested at ${iso(request.requested_at)} expired unanswered at ${iso(request.expires_at)}`,
      })),
    });
  }

  /** Withdraws the incident's pending approval requests (`refused`); call it when the incident resolves or closes. */
  async withdrawApprovals(incident: Incident, reason = `${incident.incident_id} is ${incident.status}`): Promise<AuditEntry[]> {
    const now = this.clock();
    const pending = this.config.actions
      .map((action) => this.store.approval(incident.incident_id, action.id))
      .filter((request): request is ApprovalRequest => request?.status === 'pending');
    if (pending.length === 0) return [];
    return this.record({
      approvals: pending.map((request) => ({ ...request, status: 'refused' as const, decided_at: now })),
      audit: pending.map((request) =>
        draft(now, incident, this.actions.get(request.action_id)!, 'refused', SYSTEM_ACTOR, null, `approval request withdrawn: ${oneLine(reason)}`),
      ),
    });
  }

  /** Resolves when every run in progress has ended (for shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  // ---- running -----------------------------------------------------------------------------------------------

  /**
   * Starts a run the policy allowed. Everything before the first await is synchronous: the running mark, the
   * cooldown and run-count updates are in place before any other call can decide.
   */
  private execute(request: RunRequest): Promise<RunEnd> {
    const { action, incident } = request;
    const key = runKey(action.id, incident.incident_id);
    const now = this.clock();
    const source = primarySource(incident);
    const runState = this.store.incidentState(action.id, incident.incident_id);
    const change: RemediationChange = {
      audit: [
        ...request.before,
        draft(now, incident, action, 'started', request.actor, request.approvedBy, this.startDetail(action, incident, request.trial)),
      ],
      sources: [{ action_id: action.id, source, state: { last_run_at: now } }],
      incidents: [
        {
          action_id: action.id,
          incident_id: incident.incident_id,
          state:
            request.mode === 'auto'
              ? { ...runState, auto_runs: runState.auto_runs + 1, last_auto_run_at: now }
              : runState,
        },
      ],
      ...(request.approval ? { approvals: [request.approval] } : {}),
    };
    if (request.trial) this.trials.add(action.id);
    const started = this.record(change);
    const run = this.finishRun(request, started).finally(() => {
      this.running.delete(key);
      if (request.trial) this.trials.delete(action.id);
    });
    this.running.set(key, run);
    return run;
  }

  private async finishRun(request: RunRequest, started: Promise<AuditEntry[]>): Promise<RunEnd> {
    const { action, incident } = request;
    const entries = [...(await started)];
    const result = await this.effect(action, incident);
    const at = this.clock();
    const before = this.store.breaker(action.id);
    const after = breakerAfterRun(before, action, result.kind, at);
    let detail = oneLine(result.detail);
    const wasOpen = before.open_until !== null;
    if (after.open_until !== null && (!wasOpen || after.open_until !== before.open_until)) {
      detail += `; circuit open until ${iso(after.open_until)} after ${after.consecutive_failures} consecutive failures`;
    } else if (wasOpen && after.open_until === null) {
      detail += '; circuit closed';
    }
    detail = bound(detail, MAX_DETAIL_LENGTH);
    const runState = this.store.incidentState(action.id, incident.incident_id);
    entries.push(
      ...(await this.record({
        audit: [draft(at, incident, action, result.kind, request.actor, request.approvedBy, detail)],
        breakers: [{ action_id: action.id, state: after }],
        incidents: [
          { action_id: action.id, incident_id: incident.incident_id, state: { ...runState, last_outcome: result.kind, last_outcome_at: at } },
        ],
      })),
    );
    const fields = { incident: incident.incident_id, action: action.id, outcome: result.kind, detail };
    if (result.kind === 'succeeded') this.log?.info('remediation action ran', fields);
    else this.log?.warn('remediation action failed', fields);
    return { outcome: result.kind, detail, entries, at };
  }

  private async effect(action: ActionDefinition, incident: Incident): Promise<{ kind: RunOutcome; detail: string }> {
    const timeoutMs = action.timeout_seconds * SECOND;
    try {
      if (action.command !== null) {
        const values = incidentValues(incident);
        return await this.runCommand({
          argv: substituteArgv(action.command, values),
          env: { ...action.env, ...incidentEnv(values) },
          timeoutMs,
          ...(this.killGraceMs !== undefined ? { killGraceMs: this.killGraceMs } : {}),
          ...(this.cwd !== undefined ? { cwd: this.cwd } : {}),
        });
      }
      if (action.http !== null) {
        return await this.runHttp({ actionId: action.id, effect: action.http, body: httpBody(incident, action.id), timeoutMs });
      }
      return { kind: 'failed', detail: `no command or http configured for ${action.id}` };
    } catch (error) {
      // The runners report failures as results; this is a bug or an injected runner that threw.
      return { kind: 'failed', detail: `could not run ${action.id}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private startDetail(action: ActionDefinition, incident: Incident, trial: boolean): string {
    const plan = this.plan(action, incident);
    const what = plan === null ? 'nothing' : 'argv' in plan ? formatArgv(plan.argv) : plan.http;
    return bound(`${what}${trial ? ' (circuit half-open: trial run)' : ''}`, MAX_DETAIL_LENGTH);
  }

  // ---- state -------------------------------------------------------------------------------------------------

  private stateView(action: ActionDefinition, incident: Incident): ActionStateView {
    return {
      breaker: this.store.breaker(action.id),
      source: this.store.sourceState(action.id, primarySource(incident)),
      incident: this.store.incidentState(action.id, incident.incident_id),
      running: this.running.has(runKey(action.id, incident.incident_id)),
      trialRunning: this.trials.has(action.id),
    };
  }

  private async record(change: RemediationChange): Promise<AuditEntry[]> {
    const entries = await this.store.commit(change);
    if (entries.length > 0) this.onAudit?.(entries);
    return entries;
  }
}

export function createResponder(options: ResponderOptions): Responder {
  return new Responder(options);
}

// ---- helpers -----------------------------------------------------------------------------------------------------

function runKey(actionId: string, incidentId: string): string {
  return `${actionId}\u0000${incidentId}`;
}

function draft(
  at: number,
  incident: Incident,
  action: ActionDefinition,
  kind: AuditKind,
  actor: string,
  approvedBy: string | null,
  detail: string,
): AuditDraft {
  return {
    at,
    incident_id: incident.incident_id,
    action_id: action.id,
    kind,
    actor,
    risk: action.risk,
    approved_by: approvedBy,
    detail: bound(oneLine(detail), MAX_DETAIL_LENGTH),
  };
}

function incidentAction(actionId: string, status: string, result: string, approvedBy: string | null, at: number): IncidentAction {
  return { action_id: actionId, status, result, approved_by: approvedBy, at };
}

/** `clear-cache.sh`, `HTTP POST host`, `not configured`. */
function effectSummary(action: ActionDefinition): string {
  if (action.command !== null) return basename(action.command[0]!);
  if (action.http !== null) return summarizeHttp(action.http);
  return 'not configured';
}

/** A person's name from the CLI: one line, bounded. */
function personName(raw: string): string {
  return bound(oneLine(raw), MAX_ACTOR_LENGTH);
}

/** Refusals that depend on the moment (a dry run reports them instead of refusing). */
function isTransient(code: RefusalCode): boolean {
  return code === 'running' || code === 'circuit_open' || code === 'cooldown';
}

/** A stand-in for an action id that does not exist, so the refusal can be audited. Unknown risk: recorded as high. */
function unknownAction(id: string): ActionDefinition {
  return {
    id,
    description: '',
    risk: 'high',
    applies_to: [],
    command: null,
    http: null,
    env: {},
    timeout_seconds: 1,
    cooldown_seconds: 0,
    max_auto_runs: 0,
    backoff_multiplier: 1,
    circuit_breaker: { failure_threshold: 1, reset_seconds: 1 },
    approvers: [],
  };
}

function emptyStateView(): ActionStateView {
  return {
    breaker: { ...CLOSED_BREAKER },
    source: undefined,
    incident: { ...EMPTY_INCIDENT_RUN_STATE },
    running: false,
    trialRunning: false,
  };
}

