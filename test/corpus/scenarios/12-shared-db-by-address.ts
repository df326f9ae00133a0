// Item 1: the same, named by server.address:server.port only (what auto-instrumentation records).
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const DB = { host: 'orders-db', port: 5432 };

export const scenario: Scenario = {
  title: 'orders-db refuses queries from api and reports (server.address only), one export for both',
  item: 1,
  async send({ endpoint, origin }) {
    const api = await requests(origin, 14, 100, () => httpServer('api', '/orders', 500, [dbCall('api', DB, 'too many connections for role "app"')]));
    const reports = await requests(origin + 50, 14, 100, () => httpServer('reports', '/daily', 500, [dbCall('reports', DB, 'too many connections for role "app"')]));
    await sendSpans(endpoint, [...api, ...reports], { split: 'one' });
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'orders-db:5432', root_span_service: 'orders-db:5432', components: ['api', 'reports', 'orders-db:5432'] },
  ],
};
