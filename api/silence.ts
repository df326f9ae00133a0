// Silences (maintenance windows): `firewatch silences create|list|expire`. While one matches an incident, the
// incident opens and is recorded as usual (`silenced_by` names the silence) but nobody is notified and no action runs
// by itself; when it ends, an incident still open is notified as usual.

import type { IncidentType } from './vocabulary.js';

export type SilenceJson = {
  /** `sil_00001`: numbered by the daemon, never reused. */
  silence_id: string;
  /** The component (service) it covers. */
  component: string;
  /** Only incidents of this type; null for every type. */
  incident_type: IncidentType | null;
  /** ISO-8601 */
  starts_at: string;
  /** ISO-8601: when it ends by itself. */
  ends_at: string;
  comment: string;
  created_by: string;
  /** ISO-8601 */
  created_at: string;
  /** ISO-8601 when it was ended early by hand; null otherwise. */
  expired_at: string | null;
  expired_by: string | null;
  /** In force now (started, not ended, not expired). */
  active: boolean;
};

/** Ends at `until`, or after `duration_seconds` from now: exactly one of them. */
export type CreateSilenceRequest = {
  actor: string;
  component: string;
  incident_type?: IncidentType;
  duration_seconds?: number;
  /** ISO-8601 */
  until?: string;
  comment: string;
};
