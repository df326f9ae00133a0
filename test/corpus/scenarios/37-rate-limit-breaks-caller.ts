// Item 5: the rate limit breaks the caller's own requests too (it answers 500): its users see an error burst, and the
// cause is the rate-limited API.
import type { Scenario } from '../scenario.js';
import { httpCall, httpServer, requests, sendSpans } from '../telemetry.js';

const STRIPE = { host: 'api.stripe.com', port: 443, peerService: 'stripe' };

export const scenario: Scenario = {
  title: 'stripe answers 429 and checkout fails 12 of 27 requests because of it',
  item: 5,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 27, 90, (n) =>
      n < 12 ? httpServer('checkout', '/pay', 500, [httpCall('checkout', STRIPE, 429, 'Too Many Requests')]) : httpServer('checkout', '/pay', 200, [httpCall('checkout', STRIPE, 200)]),
    );
    await sendSpans(endpoint, spans);
  },
  expected: [
    { type: 'error_burst', severity: 'high', primary_source: 'stripe', root_span_service: 'stripe', components: ['checkout', 'stripe'], root_span: { caller: 'checkout' } },
  ],
};
