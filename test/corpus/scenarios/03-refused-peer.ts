// Clean: a frontend whose calls to inventory are refused (nothing listens there).
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'inventory refuses connections: service_down at the peer',
  item: 0,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 27, 90, (n) =>
      n < 12
        ? httpServer('frontend', '/stock', 500, [
            {
              service: 'frontend',
              name: 'GET',
              kind: SpanKind.CLIENT,
              attributes: { 'server.address': 'inventory', 'server.port': 8081, 'http.request.method': 'GET' },
              error: 'connect ECONNREFUSED 10.0.0.7:8081',
            },
          ])
        : httpServer('frontend', '/stock', 200),
    );
    await sendSpans(endpoint, spans);
  },
  expected: [
    {
      type: 'service_down',
      severity: 'critical',
      primary_source: 'inventory:8081',
      root_span_service: 'inventory:8081',
      components: ['inventory:8081', 'frontend'],
      root_span: { caller: 'frontend' },
    },
  ],
};
