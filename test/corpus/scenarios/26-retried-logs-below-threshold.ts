// Item 3: log records resent by a retrying exporter.
import type { Scenario } from '../scenario.js';
import { sendLogs } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'ledger: 6 ERROR logs, the export sent twice',
  item: 3,
  async send({ endpoint, origin }) {
    await sendLogs(endpoint, 'ledger', origin, Array.from({ length: 6 }, (_, i) => ({ body: `posting ${i} failed: deadlock`, at: i * 100 })), { sends: 2 });
  },
  expected: [],
};
