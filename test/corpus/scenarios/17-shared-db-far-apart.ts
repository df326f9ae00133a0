// Item 1, the other side: the same database failing for one caller twenty minutes ago (replayed by a Collector's
// queue) and for another now are two occurrences, not one: the fold is bounded in time.
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const PG = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };
const TWENTY_MINUTES = 20 * 60_000;

export const scenario: Scenario = {
  title: 'pg-main failed for checkout 20 min ago (replayed) and fails for billing now',
  item: 1,
  replayed: true,
  async send({ endpoint, origin }) {
    const earlier = await requests(origin - TWENTY_MINUTES, 12, 100, () => httpServer('checkout', '/api/orders', 500, [dbCall('checkout', PG, 'connection timed out after 5000 ms')]));
    const now = await requests(origin, 12, 100, () => httpServer('billing', '/invoice', 500, [dbCall('billing', PG, 'connection timed out after 5000 ms')]));
    await sendSpans(endpoint, earlier);
    await sendSpans(endpoint, now);
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'checkout', root_span_service: 'checkout', components: ['checkout'] },
    { type: 'error_burst', severity: 'critical', primary_source: 'billing', root_span_service: 'billing', components: ['billing'] },
  ],
};
