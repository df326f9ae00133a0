// Component health in words: the seed's "Component Health" table (`components list`, the TUI's Components screen and
// the overview's panel).

import type { ComponentJson } from '../api/component.js';
import { formatAgo, formatRatio } from './format.js';
import type { ColumnSpec } from './incident-text.js';
import { cleanLine } from './text.js';

export const COMPONENT_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Component', flexible: true, minWidth: 10 },
  { header: 'Status', minWidth: 8 },
  { header: 'Incidents', align: 'right' },
  { header: 'Health', align: 'right' },
  { header: 'Errors', align: 'right' },
  { header: 'Req/min', align: 'right' },
  { header: 'Last seen', minWidth: 8 },
];

/** `Degraded` (the seed writes statuses capitalised in this table). */
export function componentStatusLabel(status: ComponentJson['status']): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

export function componentCells(component: ComponentJson, now: number): string[] {
  return [
    cleanLine(component.component),
    componentStatusLabel(component.status),
    String(component.open_incidents),
    `${Math.round(component.health_percent)}%`,
    formatRatio(component.error_rate),
    String(component.requests_per_minute),
    formatAgo(component.last_seen, now),
  ];
}
