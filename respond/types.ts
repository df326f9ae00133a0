// The remediation vocabulary: what an action is (from configuration). What the store remembers about actions
// (breakers, cooldowns, approvals) is store/remediation-types.ts: the store may not import respond/.
// Times are epoch milliseconds, as everywhere in the engine.

import { type IncidentType, type Risk } from '../engine/index.js';

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
