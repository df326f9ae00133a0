// What the store remembers about remediation actions (store/remediation-store.ts): circuit breakers, cooldowns,
// automatic runs per incident, approval requests. respond/ decides with these; the store only keeps them.
// Times are epoch milliseconds.

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
