// Clean: one service failing a share of its requests with its own error.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'checkout fails 12 of 27 requests (upstream timeout)',
  item: 0,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 27, 90, (n) =>
      n < 12 ? httpServer('checkout', '/api/orders', 500, [], 'upstream timed out') : httpServer('checkout', '/api/orders', 200),
    );
    await sendSpans(endpoint, spans);
  },
  expected: [
    { type: 'error_burst', severity: 'high', primary_source: 'checkout', root_span_service: 'checkout', components: ['checkout'], event_count: 12 },
  ],
};
