// Clean: host memory above 90 % used for three collections.
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'db-host-1 memory at 95 % used',
  item: 0,
  async send({ endpoint }) {
    await sendGauges(
      endpoint,
      { 'service.name': 'db-host-1' },
      [{ name: 'system.memory.utilization', points: [{ value: 0.95, attributes: { 'system.memory.state': 'used' } }, { value: 0.05, attributes: { 'system.memory.state': 'free' } }] }],
      3,
    );
  },
  expected: [{ type: 'memory_exhaustion', severity: 'critical', primary_source: 'db-host-1', root_span_service: null, components: ['db-host-1'], event_count: 3 }],
};
