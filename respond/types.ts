// The remediation vocabulary: what an action is (from configuration), and what the store remembers about it.
// Pure types, shared by config.ts, policy.ts, responder.ts and store/remediation-store.ts.
// Times are epoch milliseconds, as everywhere in the engine.

import type { IncidentType, Risk } from '../engine/types.js';

export interface HttpEffect {
  /** http(s) URL; never shown in results or the audit beyond `METHOD https://host/path` (it may carry secrets). */
  url: string;
  /** POST, PUT, PATCH or DELETE. Default POST. */
  method: HttpMethod;
  /** Sent as given (e.g. `Authorization`); never shown anywhere. Default none. */
  headers: Record<string, string>;
}

export const HTTP_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface CircuitBreakerConfig {
  /** Consecutive failed runs of the action (across incidents) that open the breaker. Default 3. */
  failure_threshold: number;
  /** The breaker stays open this long, then lets one trial run through (half-open). Default 600. */
  reset_seconds: number;
}

/** One remediation action: a built-in (catalog.ts) with the file's overrides applied, or one the file adds. */
export interface ActionDefinition {
  /** `[a-z0-9_.-]`, starting with a letter or digit; what `mitigate --action` names. */
  id: string;
  description: string;
  /** safe actions run automatically in containment; medium and high wait for a named approval. */
  risk: Risk;
  /** Incident types it applies to; empty means every type (`['*']` in the file). */
  applies_to: IncidentType[];
  /** argv, run without a shell; `{{placeholders}}` are substituted inside single elements. Null: none. */
  command: string[] | null;
  /** An HTTP request instead of a command. Null: none. Never both. */
  http: HttpEffect | null;
  /** Extra environment for the command. Default none. */
  env: Record<string, string>;
  /** The run is stopped (SIGTERM, then SIGKILL) or the request aborted after this long. Default 60. */
  timeout_seconds: number;
  /** Minimum gap between runs of this action for the same primary source. Default 300. */
  cooldown_seconds: number;
  /** Automatic runs per incident. Default 3. */
  max_auto_runs: number;
  /** The nth automatic run in one incident waits cooldown × multiplier^(n-1) after the previous one. Default 2. */
  backoff_multiplier: number;
  circuit_breaker: CircuitBreakerConfig;
  /** Who may approve it; null: `remediation.approvers[risk]`. An empty list means any named person. */
  approvers: string[] | null;
}

/** Whether an action has anything to run. */
export function isConfigured(action: ActionDefinition): boolean {
  return action.command !== null || action.http !== null;
}

// ---- persisted state (store/remediation-store.ts) --------------------------------------------------------------

/**
 * Circuit breaker of one action, across incidents. Closed while `open_until` is null; open until `open_until`;
 * half-open from then on until the next run ends (success closes it, failure re-opens it).
 */
export interface BreakerState {
  consecutive_failures: number;
  /** epoch ms the breaker opened (last time), null when closed */
  opened_at: number | null;
  /** epoch ms; null when closed */
  open_until: number | null;
}

export const CLOSED_BREAKER: Readonly<BreakerState> = { consecutive_failures: 0, opened_at: null, open_until: null };

/** Per (action, primary source): when it last started, for the cooldown. */
export interface SourceRunState {
  last_run_at: number;
}

export type RunOutcome = 'succeeded' | 'failed' | 'timed_out';

/** Per (action, incident). */
export interface IncidentRunState {
  /** Automatic runs started in this incident (max_auto_runs, backoff). */
  auto_runs: number;
  /** epoch ms of the last automatic start; null before the first. */
  last_auto_run_at: number | null;
  /** epoch ms containment first recommended it for this incident; null if it never did. */
  recommended_at: number | null;
  /** How the last run (automatic or manual) in this incident ended; null before any. */
  last_outcome: RunOutcome | null;
  /** epoch ms the last run ended; null before any. */
  last_outcome_at: number | null;
}

export const EMPTY_INCIDENT_RUN_STATE: Readonly<IncidentRunState> = {
  auto_runs: 0,
  last_auto_run_at: null,
  recommended_at: null,
  last_outcome: null,
  last_outcome_at: null,
};

export const APPROVAL_STATUSES = ['pending', 'approved', 'expired', 'refused'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Containment's request for a medium/high action, per (incident, action). */
export interface ApprovalRequest {
  incident_id: string;
  action_id: string;
  /** epoch ms */
  requested_at: number;
  /** epoch ms; a pending request past it is expired */
  expires_at: number;
  status: ApprovalStatus;
  /** Who approved or was refused; null while pending or expired. */
  decided_by: string | null;
  /** epoch ms of approval, refusal or expiry; null while pending. */
  decided_at: number | null;
}
