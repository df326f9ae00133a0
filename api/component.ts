// The seed's "Component Health" table: one row per service the daemon has heard from.

import type { ComponentStatus, Severity } from './vocabulary.js';

export type ComponentJson = {
  component: string;
  /** healthy, warning, degraded or down (the README's "Component health" section says when each applies). */
  status: ComponentStatus;
  /** Why it has that status, in a few words (`2 open incidents, worst critical`, `silent for 6m`…). */
  reason: string;
  open_incidents: number;
  /** Most severe open incident; null when none. */
  worst_severity: Severity | null;
  /** 0–100: the share of its requests that succeeded over the window (100 when it served none). */
  health_percent: number;
  /** 0–1 over the window; null when it served no requests. */
  error_rate: number | null;
  requests_per_minute: number;
  /** Arrival time of its latest telemetry; null when it is known only from incidents. */
  last_seen: string | null;
};

export type ComponentsJson = {
  /** The window the rates cover, in seconds. */
  window_seconds: number;
  components: ComponentJson[];
};
