// Item 3: metric points resent: two collections over the memory threshold are not three.
import type { Scenario } from '../scenario.js';
import { sendGauges } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'cache-host memory at 94 % for two collections, each export sent twice',
  item: 3,
  async send({ endpoint }) {
    await sendGauges(endpoint, { 'service.name': 'cache-host' }, [{ name: 'system.memory.utilization', points: [{ value: 0.94, attributes: { 'system.memory.state': 'used' } }] }], 2, 2);
  },
  expected: [],
};
