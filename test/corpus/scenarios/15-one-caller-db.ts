// Item 1, the other side: one service's queries fail while another's to the same database succeed: its own incident
// (a bad query or its own pool), placed at the service that made the query.
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const PG = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };

export const scenario: Scenario = {
  title: 'checkout queries to pg-main fail, billing queries to pg-main succeed',
  item: 1,
  async send({ endpoint, origin }) {
    const checkout = await requests(origin, 12, 100, () => httpServer('checkout', '/api/orders', 500, [dbCall('checkout', PG, 'column "discount" does not exist')]));
    const billing = await requests(origin + 30, 20, 100, () => httpServer('billing', '/invoice', 200, [dbCall('billing', PG)]));
    await sendSpans(endpoint, [...checkout, ...billing]);
  },
  expected: [{ type: 'error_burst', severity: 'critical', primary_source: 'checkout', root_span_service: 'checkout', components: ['checkout'] }],
};
