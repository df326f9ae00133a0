// `incidents stats` (DESIGN.md): counts, MTTD/MTTR and recurrence over the incidents detected since a time.

import type { Severity } from './vocabulary.js';

export type StatsJson = {
  total_incidents: number;
  active_incidents: number;
  /** Resolved plus closed. */
  resolved_incidents: number;
  /** Every severity, zero when none, most severe first. */
  by_severity: Record<Severity, number>;
  /** Only the types present, biggest first. */
  by_type: Record<string, number>;
  avg_mttd_seconds: number | null;
  avg_mttr_seconds: number | null;
  p90_mttd_seconds: number | null;
  p90_mttr_seconds: number | null;
  auto_resolved: number;
  manual_resolution: number;
  /** Share (0–1) of incidents with an earlier similar incident. */
  recurrence_rate: number;
  /** Notifications given up on and kept (`notifications list --dead`): now, whatever `since` says. */
  dead_letters: number;
  /** ISO-8601 start of the window; null when all incidents count. */
  since: string | null;
};
