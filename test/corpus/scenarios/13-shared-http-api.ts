// Item 1: an uninstrumented HTTP dependency answering 500 to two callers.
import type { Scenario } from '../scenario.js';
import { httpCall, httpServer, requests, sendSpans } from '../telemetry.js';

const GEO = { host: 'geo.internal', port: 443, peerService: 'geo-api' };

export const scenario: Scenario = {
  title: 'geo-api answers 500 to shipping and stores',
  item: 1,
  async send({ endpoint, origin }) {
    for (const [i, service] of ['shipping', 'stores'].entries()) {
      const spans = await requests(origin + i * 20, 27, 90, (n) =>
        n < 12 ? httpServer(service, '/quote', 500, [httpCall(service, GEO, 500)]) : httpServer(service, '/quote', 200, [httpCall(service, GEO, 200)]),
      );
      await sendSpans(endpoint, spans);
    }
  },
  expected: [{ type: 'error_burst', severity: 'high', primary_source: 'geo-api', root_span_service: 'geo-api', components: ['shipping', 'stores', 'geo-api'] }],
};
