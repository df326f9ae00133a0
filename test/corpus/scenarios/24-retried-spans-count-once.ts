// Item 3: every export of an error burst sent twice: one incident, each failure counted once.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'checkout: 12 failing and 15 healthy requests, every export sent twice',
  item: 3,
  async send({ endpoint, origin }) {
    // Failures interleaved with successes, so the error rate seen as the exports arrive stays at or under 50 %.
    const spans = await requests(origin, 27, 90, (n) =>
      n % 9 < 8 && n % 9 % 2 === 0 ? httpServer('checkout', '/api/orders', 500, [], 'upstream timed out') : httpServer('checkout', '/api/orders', 200),
    );
    await sendSpans(endpoint, spans, { split: 'per-trace', sends: 2 });
  },
  expected: [
    { type: 'error_burst', severity: 'high', primary_source: 'checkout', root_span_service: 'checkout', components: ['checkout'], event_count: 12 },
  ],
};
