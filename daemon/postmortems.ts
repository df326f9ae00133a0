// Post-mortems from an incident's own data: rendered (engine/postmortem.ts) with its events, remediation audit log
// and runbook. Stored when the incident resolves (by the writer, in the transaction of the change); for an open
// incident, a draft rendered on demand and never stored.

import type { Responder } from '../respond/responder.js';
import type { LmdbStore, StoredPostmortem } from '../store/lmdb-store.js';
import type { Config } from './config.js';
import { isOpenStatus, renderPostmortem, type Incident } from '../engine/index.js';

/** Events read for a post-mortem or a timeline. */
export const TIMELINE_CAP = 10_000;

export class Postmortems {
  constructor(
    private readonly config: Config,
    private readonly store: LmdbStore,
    private readonly responder: Responder,
    private readonly clock: () => number,
  ) {}

  /** Renders the post-mortem of `incident` as of `now`. */
  render(incident: Incident, now: number, draft = false): StoredPostmortem {
    const timeline = this.store.timeline(incident.incident_id, TIMELINE_CAP);
    const runbook = this.config.remediation.runbooks[incident.incident_type];
    const markdown = renderPostmortem({
      incident,
      timeline,
      timelineTotal: Math.max(incident.event_count, timeline.length),
      audit: this.responder.audit(incident.incident_id),
      ...(runbook ? { runbook } : {}),
      generatedAt: now,
      ...(draft ? { draft } : {}),
    });
    return { incident_id: incident.incident_id, markdown, generated_at: now };
  }

  /** The stored post-mortem of a resolved incident; for an open one, a draft rendered now (not stored). */
  of(incident: Incident): StoredPostmortem {
    if (isOpenStatus(incident.status)) return this.render(incident, this.clock(), true);
    return this.store.postmortem(incident.incident_id) ?? this.render(incident, this.clock());
  }
}
