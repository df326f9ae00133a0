import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control/messages.js';
import { renderIncidentTable } from './incidents.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const incident = (id: number, type: string, components: string[], status: string, title: string): JsonObject => ({
  incident_id: `inc_0000${id}`,
  incident_type: type,
  title,
  severity: 'high',
  status,
  affected_components: components,
  event_count: 12,
  detected_at: new Date(NOW - 5 * 60_000).toISOString(),
});
const rows = [
  incident(1, 'error_burst', ['checkout'], 'investigating', 'Error Burst - checkout - 2026-01-01 11:55'),
  incident(2, 'service_down', ['inventory', 'frontend'], 'containing', 'Service Down - inventory - 2026-01-01 11:55'),
];
const widths = (text: string) => text.split('\n').map((line) => Array.from(line).length);

describe('renderIncidentTable', () => {
  it('in 80 columns: type and components (uncut where they fit), events and title left out', () => {
    const table = renderIncidentTable(rows, 80, NOW);
    expect(Math.max(...widths(table))).toBeLessThanOrEqual(80);
    expect(table.split('\n')[1]).toBe('│ ID        │ Type         │ Components  │ Severity │ Status        │ Detected │');
    expect(table).toContain('│ inc_00001 │ error_burst  │ checkout    │ HIGH     │ investigating │ 5m ago   │');
    // the one cell that cannot fit is cut, visibly
    expect(table).toContain('│ inc_00002 │ service_down │ inventory,… │ HIGH     │ containing    │ 5m ago   │');
  });

  it('with room: events and the title too', () => {
    const table = renderIncidentTable(rows, 160, NOW);
    expect(Math.max(...widths(table))).toBeLessThanOrEqual(160);
    expect(table.split('\n')[1]).toMatch(/^│ ID +│ Type +│ Components +│ Severity +│ Status +│ Events +│ Detected +│ Title +│$/);
    expect(table).toContain('│ Error Burst - checkout - 2026-01-01 11:55   │');
  });

  it('too narrow for every column uncut: components and type shrink, nothing goes past the width', () => {
    const crowded = [incident(3, 'performance_degradation', ['search', 'catalog', 'recommendations', 'pricing'], 'investigating', 't')];
    const table = renderIncidentTable(crowded, 80, NOW);
    expect(Math.max(...widths(table))).toBeLessThanOrEqual(80);
    expect(table).toContain('│ inc_00003 │ performance_… │ search, c… │');
  });
});
