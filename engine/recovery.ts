// Recovery: the seed's exit criteria, judged on arrival time at each tick.
//
//   open incident ── no matching event for the rule's window (its error count is back under the threshold) ──▶ recovering
//   recovering   ── still no matching event for the quiet period (default 5 min) ───────────────────────▶ resolved (auto)
//   recovering   ── a matching event arrives (engine.ts, on attach) ─────────────────────────▶ back where it was
//
// Nothing of this is stored apart from the incident's own record: when it entered recovering, and from where, is the
// newest status_history entry into recovering (lastTransitionTo); when an event last joined is last_joined_at
// (lastJoinedAt, with a fallback for incidents stored before that field existed).
//
// Incidents with no events (opened by hand) never recover on their own: nothing in the telemetry speaks for them.
// Nor does one whose component is still silent (silence.ts reports a silence once: "no new events" is the outage
// going on, not the service being back). Recovery may begin while containment actions still run: the errors stopped.

import type { Incident, IncidentStatus, StatusChange } from './types.js';
import { isOpenStatus } from './types.js';

export interface RecoveryOptions {
  /** Quiet time (no matching event) an incident spends in `recovering` before it resolves itself. Default 300. */
  quietPeriodSeconds: number;
  /** Resolve automatically once the exit criteria hold; false: stop at `recovering`. Default true. */
  autoResolve: boolean;
}

export function createDefaultRecoveryOptions(): RecoveryOptions {
  return { quietPeriodSeconds: 300, autoResolve: true };
}

export function validateRecoveryOptions(options: RecoveryOptions, path: string): string[] {
  const errors: string[] = [];
  const quiet = options.quietPeriodSeconds;
  if (typeof quiet !== 'number' || !Number.isFinite(quiet) || quiet <= 0 || quiet > 7 * 86_400) {
    errors.push(`${path}.quietPeriodSeconds: must be a number of seconds above 0 and at most 604800 (got ${String(quiet)})`);
  }
  if (typeof options.autoResolve !== 'boolean') errors.push(`${path}.autoResolve: must be true or false (got ${String(options.autoResolve)})`);
  return errors;
}

export type RecoveryStep = 'recover' | 'resolve';

/** The step the exit criteria call for at `now`, if any. `ruleWindowMs`: the rule's window (undefined: no rule). */
export function recoveryStep(
  incident: Incident,
  ruleWindowMs: number | undefined,
  options: RecoveryOptions,
  now: number,
): RecoveryStep | undefined {
  if (!isOpenStatus(incident.status) || incident.event_count === 0) return undefined;
  const quietMs = options.quietPeriodSeconds * 1000;
  const lastJoined = lastJoinedAt(incident);
  const quietFor = now - lastJoined;
  if (incident.status === 'recovering') {
    if (!options.autoResolve) return undefined;
    const since = lastTransitionTo(incident, 'recovering')?.at ?? lastJoined;
    return now - since >= quietMs && quietFor >= quietMs ? 'resolve' : undefined;
  }
  return quietFor >= (ruleWindowMs ?? quietMs) ? 'recover' : undefined;
}

/**
 * When an event last joined the incident (engine clock, epoch ms): `last_joined_at`. Incidents stored before that
 * field existed lack it: the later of detection and the last change stands in (never earlier than the truth would
 * be, so such an incident cannot look quiet too soon).
 */
export function lastJoinedAt(incident: Incident): number {
  return incident.last_joined_at ?? Math.max(incident.detected_at, incident.updated_at);
}

/**
 * The newest status_history entry that moved the incident to `status`, if any. For `recovering` its `at` is when
 * recovery began and its `from` the status to go back to when a matching event arrives during recovery.
 */
export function lastTransitionTo(incident: Incident, status: IncidentStatus): StatusChange | undefined {
  const history = incident.status_history ?? []; // incidents stored before the field existed lack it
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i] as StatusChange;
    if (entry.to === status) return entry;
  }
  return undefined;
}
