// Every incident change goes through here on its way to disk.
//
//   engine.ingest / tick ──IngestResult──┐
//   commands (update, resolve, …) ───────┼─▶ persist(): diff against the last state seen ──▶ outbox items (notify/)
//   containment / mitigate results ──────┘                                               └─▶ post-mortem (resolved)
//                                              └──▶ GroupCommitter: incident + outbox + post-mortem, one transaction
//                                                        └── flushed ──▶ watch hub (numbered updates to watchers)
//
// Notifications are derived from the difference between states (engine/incident-diff.ts), so every path that changes
// an incident (rules, recovery, people) notifies the same way, and the outbox items land in the transaction that
// records the change: a change is never on disk without its notifications, nor the reverse.

import { createNotificationSequence, eligibleChannels, notificationPlan, notificationsFor } from '../notify/routing.js';
import type { Responder } from '../respond/responder.js';
import type { GroupCommitter } from '../store/group-commit.js';
import type { LmdbStore, StoredPostmortem } from '../store/lmdb-store.js';
import type { Logger } from '../common/logger.js';
import { NotFound, RequestRefused } from '../control/backend.js';
import { incidentToJson } from './api-json.js';
import type { Config } from './config.js';
import type { Postmortems } from './postmortems.js';
import type { WatchHub } from './watch-hub.js';
import { SEVERITY_RANK, SYSTEM_ACTOR, WorkflowError, cloneIncident, isOpenStatus, type Engine, type Incident, type IngestResult, type OutboxItem, type Severity } from '../engine/index.js';

export interface IncidentWriterOptions {
  config: Config;
  engine: Engine;
  store: LmdbStore;
  committer: GroupCommitter;
  responder: Responder;
  postmortems: Postmortems;
  hub: WatchHub;
  clock: () => number;
  log: Logger;
  /** Told after each commit that staged notifications (the outbox worker's poke). */
  onNotificationsStaged?: () => void;
  /** Told of each incident written as detected or assessing: containment is due. */
  onNeedsContainment?: (incidentId: string) => void;
  /** Ids of the notifications staged (ntf_<incident>_<kind>_<n>); default createNotificationSequence(clock). */
  notificationIds?: () => number;
}

/**
 * The silences in force, applied to every incident as it is written (daemon/silences.ts): so an incident that opens
 * under a silence is held in the same write that opens it, and no notification of its opening is ever staged.
 */
export interface IncidentSilencer {
  /**
   * Brings `incident` in line with the silences in force at `at` (engine/maintenance-windows.ts applySilence);
   * `before` is its last state written (undefined: this write opens it). Returns whether it changed.
   */
  apply(incident: Incident, before: Incident | undefined, at: number): boolean;
}

export class IncidentWriter {
  private readonly options: IncidentWriterOptions;
  private readonly nextNotificationId: () => number;
  /** The last state persisted of each open incident: what notifications are derived against. */
  private readonly lastSeen = new Map<string, Incident>();
  /**
   * The highest severity each open incident has had: acknowledgements and resolutions go to every channel that was
   * paged at that severity, so lowering the severity by hand does not leave a PagerDuty alert open.
   */
  private readonly peakSeverity = new Map<string, Severity>();
  /** Incidents written but maybe not flushed yet, so a read right after a change sees it. */
  private readonly unflushed = new Map<string, Incident>();
  /** `status severity` of every incident, and how many incidents have each: /metrics' firewatch_incidents. */
  private readonly stateKeys = new Map<string, string>();
  private readonly stateCounts = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private silencer: IncidentSilencer | undefined;
  /** Notifications (one per channel) that silences kept from being staged, since start: /metrics. */
  private suppressedCount = 0;

  constructor(options: IncidentWriterOptions) {
    this.options = options;
    this.nextNotificationId = options.notificationIds ?? createNotificationSequence(options.clock);
  }

  /** From now on every write applies the silences (set once at start, before anything is written). */
  useSilences(silencer: IncidentSilencer): void {
    this.silencer = silencer;
  }

  /** Notifications silences kept from channels since start. */
  suppressedNotifications(): number {
    return this.suppressedCount;
  }

  /** Counts every stored incident by status and severity (once, at start; persist() keeps the counts current). */
  countStored(incidents: Iterable<Pick<Incident, 'incident_id' | 'status' | 'severity'>>): void {
    for (const incident of incidents) this.countState(incident);
  }

  /** Incidents now, by status and severity. */
  incidentCounts(): Array<{ status: string; severity: string; count: number }> {
    const counts: Array<{ status: string; severity: string; count: number }> = [];
    for (const [key, count] of this.stateCounts) {
      if (count === 0) continue;
      const [status, severity] = key.split(' ') as [string, string];
      counts.push({ status, severity, count });
    }
    return counts;
  }

  private countState(incident: Pick<Incident, 'incident_id' | 'status' | 'severity'>): void {
    const key = `${incident.status} ${incident.severity}`;
    const previous = this.stateKeys.get(incident.incident_id);
    if (previous === key) return;
    if (previous !== undefined) this.stateCounts.set(previous, (this.stateCounts.get(previous) ?? 1) - 1);
    this.stateKeys.set(incident.incident_id, key);
    this.stateCounts.set(key, (this.stateCounts.get(key) ?? 0) + 1);
  }

  /** After a restart: the open incidents as stored are what later changes are compared with. */
  resume(openIncidents: readonly Incident[]): void {
    for (const incident of openIncidents) {
      this.lastSeen.set(incident.incident_id, incident);
      const announced = announcedSeverity(incident);
      if (announced !== undefined) this.peakSeverity.set(incident.incident_id, announced);
    }
    this.options.hub.seed(openIncidents);
  }

  /**
   * Writes what the engine (or the workflow) changed, with the notifications and post-mortems the changes call for,
   * in one transaction; resolves once durable, after the watch hub heard of it.
   */
  persist(result: IngestResult): Promise<void> {
    const { config, clock, hub } = this.options;
    let outbox: OutboxItem[] | undefined;
    let postmortems: StoredPostmortem[] | undefined;
    const committed: Array<{ before: Incident | undefined; after: Incident }> = [];
    /** What lastSeen held before this call, to put back when the write fails (its notifications were not written). */
    const previous: Array<[string, Incident | undefined, Severity | undefined]> = [];
    const now = clock();
    for (const incident of result.incidents) {
      const id = incident.incident_id;
      const before = this.lastSeen.get(id);
      if (this.silencer?.apply(incident, before, now)) {
        // The engine's own state must hold it too, or its next change would be written unsilenced.
        const live = this.options.engine.incident(id);
        if (live !== undefined && this.silencer.apply(live, before, now)) this.options.engine.updateIncident(live);
      }
      previous.push([id, before, this.peakSeverity.get(id)]);
      committed.push({ before, after: incident });
      this.countState(incident);
      const plan = notificationPlan(before, incident);
      const kinds = plan.send;
      if (plan.suppressed.length > 0) this.suppressedCount += plan.suppressed.length * eligibleChannels(config.exporters, incident.severity).length;
      // The highest severity announced (undefined: none yet): what acknowledgements and resolutions are routed at. A
      // rise kept from the channels by a silence counts once it is announced.
      const previousPeak = this.peakSeverity.get(id) ?? announcedSeverity(before);
      const announcesSeverity = kinds.includes('triggered') || kinds.includes('escalated');
      const peak =
        announcesSeverity && (previousPeak === undefined || SEVERITY_RANK[incident.severity] > SEVERITY_RANK[previousPeak]) ? incident.severity : previousPeak;
      if (kinds.length > 0) {
        const incidentJson = incidentToJson(incident) as unknown as Record<string, unknown>;
        for (const kind of kinds) {
          const closing = kind === 'acknowledged' || kind === 'resolved';
          const change = { kind, incident, incidentJson, ...(closing && peak !== undefined ? { routeSeverity: peak } : {}) };
          const items = notificationsFor(change, config.exporters, now, this.nextNotificationId);
          if (items.length > 0) (outbox ??= []).push(...items);
        }
      }
      this.logChange(before, incident);
      if (isOpenStatus(incident.status)) {
        this.lastSeen.set(id, incident);
        if (peak !== undefined) this.peakSeverity.set(id, peak);
        if (incident.status === 'detected' || incident.status === 'assessing') this.options.onNeedsContainment?.(id);
      } else {
        // Approval requests of an incident that is over must not linger (or be approved later by mistake).
        if (before !== undefined) this.track(this.options.responder.withdrawApprovals(incident));
        this.lastSeen.delete(id);
        this.peakSeverity.delete(id);
        (postmortems ??= []).push(this.options.postmortems.render(incident, now));
      }
      this.unflushed.set(id, incident);
    }
    const written = result.incidents;
    const extras = { ...(outbox ? { outbox } : {}), ...(postmortems ? { postmortems } : {}) };
    return this.options.committer.submit(result, this.options.engine.counters(), extras).then(
      () => {
        this.forgetUnflushed(written);
        if (outbox) this.options.onNotificationsStaged?.();
        if (committed.length > 0) hub.offer(committed);
      },
      (error: unknown) => {
        // Nothing of this call is on disk: the next write of these incidents must derive the same notifications.
        for (const [id, before, peak] of previous) {
          if (before === undefined) this.lastSeen.delete(id);
          else this.lastSeen.set(id, before);
          if (peak === undefined) this.peakSeverity.delete(id);
          else this.peakSeverity.set(id, peak);
        }
        this.forgetUnflushed(written);
        throw error;
      },
    );
  }

  private forgetUnflushed(written: readonly Incident[]): void {
    for (const incident of written) {
      if (this.unflushed.get(incident.incident_id) === incident) this.unflushed.delete(incident.incident_id);
    }
  }

  /** The newest state of an incident: the engine's for open ones, else what was last written. A copy. */
  latest(incidentId: string): Incident | undefined {
    const live = this.options.engine.incident(incidentId);
    if (live !== undefined) return live;
    const pending = this.unflushed.get(incidentId);
    if (pending !== undefined) return cloneIncident(pending);
    const stored = this.options.store.getIncident(incidentId);
    return stored === undefined ? undefined : cloneIncident(stored);
  }

  /**
   * Applies `change` to a copy of the newest state (all of it or, when it throws WorkflowError, none of it), hands it
   * to the engine and persists it. Resolves with the state written.
   */
  async mutate(incidentId: string, change: (incident: Incident, at: number) => void): Promise<Incident> {
    const incident = this.latest(incidentId);
    if (incident === undefined) throw new NotFound(`incident ${incidentId} not found`);
    const at = this.options.clock();
    try {
      change(incident, at);
    } catch (error) {
      if (error instanceof WorkflowError) throw new RequestRefused(error.message);
      throw error;
    }
    incident.updated_at = at;
    const engine = this.options.engine;
    engine.updateIncident(incident);
    const saved = engine.incident(incidentId) ?? incident;
    await this.persist({ events: [], linked: [], incidents: [saved], traceSpans: [] });
    return saved;
  }

  /**
   * Writes the newest state of an open incident again, so the rules applied at write time (silences) are applied to
   * it now; resolves with the state written. Undefined when it is not open (nothing to apply).
   */
  async rewrite(incidentId: string): Promise<Incident | undefined> {
    const live = this.options.engine.incident(incidentId);
    if (live === undefined) return undefined;
    return this.mutate(incidentId, () => undefined);
  }

  /** Waits for the workflow reactions in progress (shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.options.log.error('workflow step failed', { error: (error as Error).message }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private logChange(before: Incident | undefined, after: Incident): void {
    const log = this.options.log;
    if (before === undefined) {
      if (!isOpenStatus(after.status)) return;
      log.info('incident opened', {
        incident_id: after.incident_id,
        type: after.incident_type,
        severity: after.severity,
        primary_source: after.root_cause.primary_source,
        title: after.title,
        components: after.affected_components.join(','),
        events: after.event_count,
      });
      return;
    }
    if (before.incident_type !== after.incident_type) {
      // A stronger reading of its events (engine/retype.ts): say what it is now, as `incident opened` would.
      log.info('incident retyped', {
        incident_id: after.incident_id,
        type: after.incident_type,
        was: before.incident_type,
        severity: after.severity,
        primary_source: after.root_cause.primary_source,
        title: after.title,
      });
    }
    if (before.status !== after.status) {
      const last = after.status_history?.at(-1);
      log.info('incident status', {
        incident_id: after.incident_id,
        from: before.status,
        to: after.status,
        by: last?.by ?? SYSTEM_ACTOR,
      });
    }
    if (before.severity !== after.severity) {
      log.info('incident severity', { incident_id: after.incident_id, from: before.severity, to: after.severity });
    }
  }
}

/** The severity an incident's channels were last told of, as its written state says; undefined: none (or not written). */
function announcedSeverity(incident: Incident | undefined): Severity | undefined {
  if (incident === undefined) return undefined;
  if ((incident.silenced_by ?? null) === null) return incident.severity;
  return incident.announced_severity ?? undefined;
}
