// Item 3: an error burst of logs, its export sent three times.
import type { Scenario } from '../scenario.js';
import { sendLogs } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'ledger: 11 ERROR logs, the export sent three times',
  item: 3,
  async send({ endpoint, origin }) {
    await sendLogs(endpoint, 'ledger', origin, Array.from({ length: 11 }, (_, i) => ({ body: `posting ${i} failed: deadlock`, at: i * 100 })), { sends: 3 });
  },
  expected: [{ type: 'error_burst', severity: 'high', primary_source: 'ledger', root_span_service: null, components: ['ledger'], event_count: 11 }],
};
