// Item 5: a payment API answers 429 to checkout's calls; checkout retries and its own requests succeed.
import type { Scenario } from '../scenario.js';
import { httpCall, httpServer, requests, sendSpans } from '../telemetry.js';

const STRIPE = { host: 'api.stripe.com', port: 443, peerService: 'stripe' };

export const scenario: Scenario = {
  title: 'stripe answers 429 to 12 of checkout’s calls (checkout’s requests succeed)',
  item: 5,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 100, () => httpServer('checkout', '/pay', 200, [httpCall('checkout', STRIPE, 429, 'Too Many Requests')]));
    await sendSpans(endpoint, spans);
  },
  expected: [
    { type: 'api_rate_limit', severity: 'medium', primary_source: 'stripe', root_span_service: 'stripe', components: ['stripe', 'checkout'], root_span: { caller: 'checkout' } },
  ],
};
