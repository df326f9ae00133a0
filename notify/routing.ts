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

/**
 * What happened to an incident between two states, in the order notifications should go out.
 * New and open → triggered (plus acknowledged if it already is). Severity rank up → escalated. acknowledged_at
 * null → set → acknowledged. Open → resolved/closed → resolved. A change that ends with the incident no longer open
 * only reports `resolved`: escalating or acknowledging something already over is noise. A brand-new incident that
 * is already resolved produces nothing (nobody was told it began).
 */
export function changesBetween(before: Incident | undefined, after: Incident): NotificationKind[] {
  const diff = diffIncidents(before, after);
  if (diff.opened) return diff.acknowledged ? ['triggered', 'acknowledged'] : ['triggered'];
  if (!diff.wasOpen) return []; // first seen already over, or changes to an incident that is over: nobody to tell
  if (diff.ended) return ['resolved'];
  const kinds: NotificationKind[] = [];
  if (diff.escalated) kinds.push('escalated');
  if (diff.acknowledged) kinds.push('acknowledged');
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
