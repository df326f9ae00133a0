// Recovery: the seed's exit criteria, judged on arrival time at each tick.
//
//   open incident ── no matching event for the rule's window (its error count is back under the threshold) ──▶ recovering
//   recovering   ── still no matching event for the quiet period (default 5 min) ───────────────────────▶ resolved (auto)
//   recovering   ── a matching event arrives (engine.ts, on attach) ─────────────────────────▶ back where it was
//
// Incidents with no events (opened by hand) never recover on their own: nothing in the telemetry speaks for them.
// Nor does one whose component is still silent (silence.ts reports a silence once: "no new events" is the outage
// going on, not the service being back). Recovery may begin while containment actions still run: the errors stopped.

import type { Incident } from './types.js';
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
  const lastJoined = incident.last_joined_at ?? Math.max(incident.detected_at, incident.updated_at);
  const quietFor = now - lastJoined;
  if (incident.status === 'recovering') {
    if (!options.autoResolve) return undefined;
    const since = recoveringSince(incident) ?? lastJoined;
    return now - since >= quietMs && quietFor >= quietMs ? 'resolve' : undefined;
  }
  return quietFor >= (ruleWindowMs ?? quietMs) ? 'recover' : undefined;
}

/** When the incident last entered `recovering` (from its history). */
function recoveringSince(incident: Incident): number | undefined {
  const history = incident.status_history ?? [];
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry !== undefined && entry.to === 'recovering') return entry.at;
  }
  return undefined;
}
