// Item 1, the other side: two services failing for their own reasons, both talking to a healthy database, are two
// incidents.
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const PG = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };

export const scenario: Scenario = {
  title: 'search and billing fail on their own bugs; their pg-main queries succeed',
  item: 1,
  async send({ endpoint, origin }) {
    const search = await requests(origin, 12, 100, () => ({
      ...httpServer('search', '/q', 500, [dbCall('search', PG)], 'index shard missing'),
      exception: { type: 'ShardMissing', message: 'shard 3 missing' },
    }));
    const billing = await requests(origin + 30, 12, 100, () => httpServer('billing', '/invoice', 500, [dbCall('billing', PG)], 'template not found'));
    await sendSpans(endpoint, [...search, ...billing]);
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'search', root_span_service: 'search', components: ['search'] },
    { type: 'error_burst', severity: 'critical', primary_source: 'billing', root_span_service: 'billing', components: ['billing'] },
  ],
};
