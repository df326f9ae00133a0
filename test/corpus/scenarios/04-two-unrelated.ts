// Clean: two services failing at the same time for reasons of their own stay two incidents.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'search and billing fail at once, each with its own bug',
  item: 0,
  async send({ endpoint, origin }) {
    const search = await requests(origin, 12, 100, () => ({ ...httpServer('search', '/q', 500, [], 'index shard missing'), exception: { type: 'ShardMissing', message: 'shard 3 missing' } }));
    const billing = await requests(origin + 40, 12, 100, () => httpServer('billing', '/invoice', 500, [], 'template not found'));
    await sendSpans(endpoint, [...search, ...billing], { split: 'one' });
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'search', root_span_service: 'search', components: ['search'] },
    { type: 'error_burst', severity: 'critical', primary_source: 'billing', root_span_service: 'billing', components: ['billing'] },
  ],
};
