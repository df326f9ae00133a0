// Item 3: the daemon stored a batch and died before acknowledging it; the exporter sends it again to the restarted
// daemon. Seven failures are still seven.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'orders: 7 failing requests stored, kill -9, the same export again',
  item: 3,
  async send(context) {
    const spans = await requests(context.origin, 7, 100, () => httpServer('orders', '/place', 500, [], 'stock reservation failed'));
    await sendSpans(context.endpoint, spans);
    await context.restart();
    await sendSpans(context.endpoint, spans);
  },
  expected: [],
};
