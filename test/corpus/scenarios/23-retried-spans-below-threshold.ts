// Item 3: an exporter resends a batch whose acknowledgement was lost. Six failures are not ten.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'checkout: 6 failing requests, the export sent twice',
  item: 3,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 6, 100, () => httpServer('checkout', '/api/orders', 500, [], 'upstream timed out'));
    await sendSpans(endpoint, spans, { sends: 2 });
  },
  expected: [],
};
