// Item 3, the other side: log records have no identity of their own. A worker whose circuit breaker is open fails
// every item at once and logs the same line, in the same millisecond, ten times; a simple log record processor ships
// each record in an export of its own. Ten errors, not one.
import type { Scenario } from '../scenario.js';
import { sendLogs } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'payout-worker logs the same error 10 times in one millisecond, one export per record',
  item: 3,
  async send({ endpoint, origin }) {
    await sendLogs(endpoint, 'payout-worker', origin, Array.from({ length: 10 }, () => ({ body: 'payout failed: circuit breaker open', at: 500 })), { oneByOne: true });
  },
  expected: [{ type: 'error_burst', severity: 'high', primary_source: 'payout-worker', root_span_service: null, components: ['payout-worker'], event_count: 10 }],
};
