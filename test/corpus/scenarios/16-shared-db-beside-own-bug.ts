// Item 1, the other side: one caller fails on the database, another fails at the same time on its own bug while its
// queries to that database succeed: two incidents, not one.
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const PG = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };

export const scenario: Scenario = {
  title: 'checkout fails on pg-main while billing fails on its own bug (its pg-main queries succeed)',
  item: 1,
  async send({ endpoint, origin }) {
    const checkout = await requests(origin, 12, 100, () => httpServer('checkout', '/api/orders', 500, [dbCall('checkout', PG, 'connection timed out after 5000 ms')]));
    const billing = await requests(origin + 30, 12, 100, () => httpServer('billing', '/invoice', 500, [dbCall('billing', PG)], 'template not found'));
    await sendSpans(endpoint, [...checkout, ...billing], { split: 'one' });
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'checkout', root_span_service: 'checkout', components: ['checkout'] },
    { type: 'error_burst', severity: 'critical', primary_source: 'billing', root_span_service: 'billing', components: ['billing'] },
  ],
};
