// Clean: a service answering slowly (no errors).
import type { Scenario } from '../scenario.js';
import { requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'catalog answers 11 requests in 1.2 s',
  item: 0,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 11, 100, () => ({
      service: 'catalog',
      name: 'GET /items',
      kind: SpanKind.SERVER,
      durationMs: 1200,
      attributes: { 'http.request.method': 'GET', 'http.route': '/items', 'http.response.status_code': 200 },
    }));
    await sendSpans(endpoint, spans);
  },
  expected: [{ type: 'performance_degradation', severity: 'medium', primary_source: 'catalog', root_span_service: null, components: ['catalog'] }],
};
