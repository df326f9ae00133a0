// Clean: a service that only logs, eleven ERROR records.
import type { Scenario } from '../scenario.js';
import { sendLogs } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'ledger logs 11 errors (logs only)',
  item: 0,
  async send({ endpoint, origin }) {
    await sendLogs(endpoint, 'ledger', origin, Array.from({ length: 11 }, (_, i) => ({ body: `posting ${i} failed: deadlock`, at: i * 100 })));
  },
  expected: [{ type: 'error_burst', severity: 'high', primary_source: 'ledger', root_span_service: null, components: ['ledger'], event_count: 11 }],
};
