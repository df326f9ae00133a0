// Item 1: three services whose queries to the same database fail at the same time are one outage of the database.
import type { Scenario } from '../scenario.js';
import { dbCall, httpServer, requests, sendSpans } from '../telemetry.js';

const PG = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };
const CALLERS = ['checkout', 'billing', 'inventory'];

export const scenario: Scenario = {
  title: 'pg-main times out under checkout, billing and inventory (peer.service)',
  item: 1,
  async send({ endpoint, origin }) {
    for (const [i, service] of CALLERS.entries()) {
      const spans = await requests(origin + i * 30, 27, 90, (n) =>
        n < 12
          ? httpServer(service, '/api/orders', 500, [dbCall(service, PG, 'connection timed out after 5000 ms')])
          : httpServer(service, '/api/orders', 200, [dbCall(service, PG)]),
      );
      await sendSpans(endpoint, spans);
    }
  },
  expected: [
    {
      type: 'error_burst',
      severity: 'high',
      primary_source: 'pg-main',
      root_span_service: 'pg-main',
      components: [...CALLERS, 'pg-main'],
    },
  ],
};
