// Which notifications an incident change causes, and to which channels. Pure: no I/O, time and ids passed in.
//
//   incident before/after ──changesBetween()──▶ kinds ──notificationsFor(change)──▶ OutboxItem[] ──▶ outbox.stage()
//
// The daemon calls both inside the synchronous block that writes the incident, so the items land in the same LMDB
// transaction as the change that caused them (store/outbox.ts).
//
// Ids: `ntf_<incident_id>_<kind>_<n>`, one `n` per item from the caller's `nextId()`. They are written once, when
// the item is staged, and every retry and restart reuses the stored id, so receivers can dedup on it (webhook-id,
// email Message-ID). They must never repeat over the life of the store (a receiver would drop the second one as a
// duplicate), so `n` comes from a sequence: pass a durable counter if you persist one, or
// createNotificationSequence() below, whose values are time-based and so keep increasing across restarts.

import { configuredChannels, type NotifyConfig } from './config.js';
import { SEVERITY_RANK, diffIncidents, type Incident, type NotificationKind, type OutboxItem, type Severity } from '../engine/index.js';

export interface IncidentChange {
  kind: NotificationKind;
  /** The incident after the change. */
  incident: Incident;
  /** Its contract JSON (engine/json.ts incidentToJson): the snapshot every delivery attempt renders. */
  incidentJson: Record<string, unknown>;
  /**
   * The severity that decides which channels are told; default the incident's current severity. For
   * `acknowledged` and `resolved` the caller passes the highest severity the incident had, so the channels that
   * were told it began (a PagerDuty alert opened at `critical`) are told it ended, even after a de-escalation.
   */
  routeSeverity?: Severity;
}

/** What one change of an incident tells its channels, and what a silence keeps from them. */
export interface NotificationPlan {
  /** Notifications to stage, in the order they should go out. */
  send: NotificationKind[];
  /** Notifications the change would have caused were it not silenced (engine/maintenance-windows.ts). */
  suppressed: NotificationKind[];
}

const NOTHING: NotificationPlan = Object.freeze({ send: [], suppressed: [] }) as unknown as NotificationPlan;

/**
 * What happened to an incident between two states, in the order notifications should go out.
 * New and open → triggered (plus acknowledged if it already is). Severity rank up → escalated. acknowledged_at
 * null → set → acknowledged. Open → resolved/closed → resolved. A change that ends with the incident no longer open
 * only reports `resolved`: escalating or acknowledging something already over is noise. A brand-new incident that
 * is already resolved produces nothing (nobody was told it began).
 *
 * Silences (`silenced_by`, with `announced_severity` saying what the channels were last told):
 * - while silenced, nothing new is announced: no `triggered`, no `escalated`;
 * - `acknowledged` and `resolved` still go out for an incident whose opening was announced (a PagerDuty alert opened
 *   before the silence still closes), never for one that opened silenced (nobody was told it began);
 * - when the silence ends on an open incident, it is announced as usual: one that opened silenced is `triggered`
 *   (plus `acknowledged` if it is), one announced before is `escalated` if its severity rose meanwhile.
 */
export function notificationPlan(before: Incident | undefined, after: Incident): NotificationPlan {
  const diff = diffIncidents(before, after);
  const silenced = (after.silenced_by ?? null) !== null;
  if (diff.opened) {
    const kinds: NotificationKind[] = diff.acknowledged ? ['triggered', 'acknowledged'] : ['triggered'];
    return silenced ? { send: [], suppressed: kinds } : { send: kinds, suppressed: [] };
  }
  if (!diff.wasOpen || before === undefined) return NOTHING; // first seen already over, or already over: nobody to tell
  const wasSilenced = (before.silenced_by ?? null) !== null;
  // What the channels knew before this change: nothing (it opened silenced), or the incident at some severity.
  const announced: Severity | null = wasSilenced ? (before.announced_severity ?? null) : before.severity;
  if (announced === null) {
    const unheard: NotificationKind[] = diff.ended ? ['resolved'] : acknowledgedAndEscalated(diff.escalated, diff.acknowledged);
    if (silenced) return { send: [], suppressed: unheard };
    if (diff.ended) return NOTHING; // nobody was told it began
    // The silence is over and it is still open: announced now, as if it had just opened.
    return { send: after.acknowledged_at !== null ? ['triggered', 'acknowledged'] : ['triggered'], suppressed: [] };
  }
  if (diff.ended) return { send: ['resolved'], suppressed: [] };
  const rose = SEVERITY_RANK[after.severity] > SEVERITY_RANK[announced];
  // While silenced, a rise waits (it is compared with what was announced when the silence ends); otherwise a rise
  // since the previous state is announced as it happens.
  const escalated = silenced ? false : wasSilenced ? rose : diff.escalated;
  const held = silenced && diff.escalated;
  return {
    send: acknowledgedAndEscalated(escalated, diff.acknowledged),
    suppressed: held ? ['escalated'] : [],
  };
}

/** The kinds a change notifies: the plan's `send`. */
export function changesBetween(before: Incident | undefined, after: Incident): NotificationKind[] {
  return notificationPlan(before, after).send;
}

function acknowledgedAndEscalated(escalated: boolean, acknowledged: boolean): NotificationKind[] {
  const kinds: NotificationKind[] = [];
  if (escalated) kinds.push('escalated');
  if (acknowledged) kinds.push('acknowledged');
  return kinds;
}

/**
 * The outbox items one change causes: one per channel whose min_severity the routing severity reaches
 * (`change.routeSeverity`, else the incident's severity). `triggered` and `escalated` are routed at the incident's
 * severity; `acknowledged` and `resolved` go to the channels eligible at the routing severity, for which the caller
 * passes the highest severity the incident had, so every channel that was told of it (a PagerDuty alert opened by a
 * trigger) is told of the acknowledgement and the resolution too.
 * Channels come in configuredChannels() order; `nextId()` is called once per item, in that order.
 */
export function notificationsFor(
  change: IncidentChange,
  config: NotifyConfig,
  now: number,
  nextId: () => number | string,
): OutboxItem[] {
  const { incident, kind } = change;
  const items: OutboxItem[] = [];
  for (const channel of eligibleChannels(config, change.routeSeverity ?? incident.severity)) {
    items.push({
      id: `ntf_${incident.incident_id}_${kind}_${nextId()}`,
      channel,
      kind,
      incident_id: incident.incident_id,
      incident: change.incidentJson,
      created_at: now,
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
    });
  }
  return items;
}

/** The names of the channels an incident of this severity notifies, in configuredChannels() order. */
export function eligibleChannels(config: NotifyConfig, severity: Severity): string[] {
  const rank = SEVERITY_RANK[severity];
  return configuredChannels(config)
    .filter((channel) => rank >= SEVERITY_RANK[channel.minSeverity])
    .map((channel) => channel.name);
}

/**
 * A sequence for notification ids that does not repeat across restarts without being persisted: the wall clock in
 * microseconds (`Date.now() × 1000`), or the previous value + 1 when the clock has not moved on. Values stay below
 * 2^53 until the year 2255. Only a wall clock stepped back past the last id issued (and then a notification for
 * the same incident and kind in that window) could repeat one; pass a persisted counter where that matters.
 */
export function createNotificationSequence(clock: () => number = Date.now): () => number {
  let last = 0;
  return () => {
    last = Math.max(Math.floor(clock()) * 1000, last + 1);
    return last;
  };
}
