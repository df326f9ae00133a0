// `firewatch components list`: the seed's "Component Health" table, per service: status, open incidents, health,
// error rate, request rate and when it was last heard from (daemon/components.ts defines the statuses).

import type { CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf, sinceOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { renderTable, terminalWidth } from '../render/table.js';
import { COMPONENT_COLUMNS, componentCells } from '../../view/component-text.js';

export const componentsList: CommandSpec = {
  path: ['components', 'list'],
  summary: 'Health per component (service): status, open incidents, health %, error rate, requests/min, last seen.',
  positionals: [],
  flags: [
    { name: 'since', kind: 'string', placeholder: 'AGE|TIME', description: 'only components heard from within this age (1h) or since an ISO-8601 time' },
    FORMAT_FLAG,
  ],
  examples: ['firewatch components list', 'firewatch components list --since 1h', 'firewatch components list --format json'],
  async run(args) {
    const since = sinceOf(args, componentsList);
    const health = await withClient(args, (client) => client.components(since === undefined ? {} : { since }));
    const format = formatOf(args);
    const rows = health.components;
    if (format === 'json') printJson(rows);
    else if (format === 'csv') {
      print(
        renderCsv(
          ['component', 'status', 'open_incidents', 'health_percent', 'error_rate', 'requests_per_minute', 'last_seen', 'reason'],
          rows.map((c) => [c.component, c.status, c.open_incidents, c.health_percent, c.error_rate, c.requests_per_minute, c.last_seen, c.reason]),
        ),
      );
    } else if (rows.length === 0) {
      print('No components yet: none has sent telemetry or been named by an incident.');
    } else {
      const now = Date.now();
      print(renderTable(COMPONENT_COLUMNS, rows.map((component) => componentCells(component, now)), terminalWidth()));
      print(`over the last ${Math.round(health.window_seconds / 60)} minutes`);
    }
    return 0;
  },
};
