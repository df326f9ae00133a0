// The automatic steps after detection: assessed → containing (the responder runs the safe recommended actions and
// files approval requests for the others) → investigating. Runs after the change that opened the incident is written,
// one run per incident at a time, and never leaves an incident in `containing` (a failure or a restart moves it on).

import type { Responder } from '../respond/responder.js';
import type { Logger } from '../common/logger.js';
import type { Config } from './config.js';
import type { IncidentWriter } from './incident-writer.js';
import { SYSTEM_ACTOR, applyTransition, isOpenStatus, type Incident, type IncidentAction } from '../engine/index.js';

/** Entries kept in an incident's `actions`. */
const MAX_INCIDENT_ACTIONS = 200;

/** Records a remediation step on the incident (bounded: the audit log keeps everything). */
export function pushAction(incident: Incident, action: IncidentAction): void {
  incident.actions.push({ ...action });
  if (incident.actions.length > MAX_INCIDENT_ACTIONS) incident.actions.splice(0, incident.actions.length - MAX_INCIDENT_ACTIONS);
}

export class Containment {
  /** Incidents whose containment is running. */
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly config: Config,
    private readonly writer: IncidentWriter,
    private readonly responder: Responder,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {}

  /**
   * Pending approval requests past their TTL expire, and each incident records the expiry as the action's latest
   * step: front ends count a request as waiting until a later step says otherwise, so without it an expired request
   * stayed "pending" on every screen until the incident changed for some other reason. Call it periodically.
   */
  async expireApprovals(): Promise<void> {
    const expired = await this.responder.expireApprovals();
    for (const entry of expired) {
      if (this.writer.latest(entry.incident_id) === undefined) continue;
      await this.writer.mutate(entry.incident_id, (live) =>
        pushAction(live, { action_id: entry.action_id, status: 'expired', result: entry.detail, approved_by: null, at: entry.at }),
      );
    }
  }

  /** After a restart: the steps a restart cut short. */
  resume(openIncidents: readonly Incident[]): void {
    for (const incident of openIncidents) {
      if (incident.status === 'containing') {
        // The containment run was cut short; its steps are in the audit log. Do not run actions twice.
        this.track(
          this.writer.mutate(incident.incident_id, (live) =>
            applyTransition(live, 'investigating', {
              at: this.clock(),
              by: SYSTEM_ACTOR,
              reason: 'containment was interrupted by a restart (see the audit log)',
            }),
          ),
        );
      } else if (incident.status === 'detected' || incident.status === 'assessing') {
        this.schedule(incident.incident_id);
      }
    }
  }

  /** Runs containment for the incident after the current call (so the change that opened it is persisted first). */
  schedule(incidentId: string): void {
    if (this.stopped || this.running.has(incidentId)) return;
    this.running.add(incidentId);
    this.track(
      Promise.resolve()
        .then(() => this.contain(incidentId))
        .catch((error: unknown) => this.log.error('containment failed', { incident_id: incidentId, error: (error as Error).message }))
        .finally(() => this.running.delete(incidentId)),
    );
  }

  /** Stops scheduling and waits for the runs in progress (shutdown). */
  async idle(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Assessment is done (root cause computed): containment runs the safe actions, then investigation begins. */
  private async contain(incidentId: string): Promise<void> {
    const remediation = this.config.remediation;
    const start = this.writer.latest(incidentId);
    if (start === undefined || (start.status !== 'detected' && start.status !== 'assessing')) return;
    await this.writer.mutate(incidentId, (incident, at) => {
      if (incident.status === 'detected') {
        applyTransition(incident, 'assessing', { at, by: SYSTEM_ACTOR, reason: 'assessed from the fields it was opened with' });
      }
      applyTransition(incident, 'containing', {
        at,
        by: SYSTEM_ACTOR,
        reason: remediation.auto_remediate ? 'running the safe recommended actions' : 'automatic remediation is off',
      });
    });
    const current = this.writer.latest(incidentId);
    if (current === undefined || current.status !== 'containing') return;
    // With auto_remediate off the responder still recommends and asks for approvals; it only runs nothing by itself.
    let outcome: Awaited<ReturnType<Responder['contain']>> | undefined;
    let failure = '';
    try {
      outcome = await this.responder.contain(current);
    } catch (error) {
      // Never leave an incident in `containing`: say what failed and move on to investigation.
      failure = (error as Error).message;
      this.log.error('containment failed', { incident_id: incidentId, error: failure });
    }
    const ran = outcome?.actions.filter((action) => action.status !== 'recommended' && action.status !== 'approval_requested') ?? [];
    const waiting = outcome?.actions.filter((action) => action.status === 'approval_requested').length ?? 0;
    const held = outcome?.held_by_silence ?? 0;
    const after = await this.writer.mutate(incidentId, (incident, at) => {
      for (const action of outcome?.actions ?? []) pushAction(incident, action);
      if (incident.status !== 'containing') return; // someone (or recovery) moved it on meanwhile
      const parts = failure
        ? [`containment failed: ${failure}`]
        : [
            ran.length === 0 ? 'no safe action ran' : ran.map((action) => `${action.action_id} ${action.status}`).join(', '),
            ...(waiting > 0 ? [`${waiting} action(s) await approval`] : []),
            // Said where people look first: the silence, not a fault, is why nothing ran.
            ...(held > 0 ? [`${held} safe action(s) held by silence ${current.silenced_by ?? '?'}`] : []),
          ];
      applyTransition(incident, 'investigating', { at, by: SYSTEM_ACTOR, reason: failure ? parts[0]! : `containment done: ${parts.join('; ')}` });
    });
    // Resolved while its actions ran: the approval requests containment just filed must not linger.
    if (!isOpenStatus(after.status)) await this.responder.withdrawApprovals(after);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.log.error('workflow step failed', { error: (error as Error).message }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
