// Item 2: inside one service: the failing SERVER span has no message; the INTERNAL span with the exception points at
// a middleware span that was not exported (healthy, dropped by the filter). Timing puts it inside the SERVER span.
import type { Scenario } from '../scenario.js';
import { failed, httpServer, requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'payments: the exception span hangs off a dropped middleware span',
  item: 2,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, () =>
      httpServer('payments', '/charge', 500, [
        {
          service: 'payments',
          name: 'middleware - auth',
          kind: SpanKind.INTERNAL,
          children: [{ service: 'payments', name: 'charge card', kind: SpanKind.INTERNAL, error: 'gateway timeout', exception: { type: 'CardGatewayTimeout', message: 'no answer in 3000 ms' } }],
        },
      ]),
    );
    await sendSpans(endpoint, spans, { keep: failed });
  },
  expected: [
    {
      type: 'error_burst',
      severity: 'critical',
      primary_source: 'payments',
      root_span_service: 'payments',
      components: ['payments'],
      root_span: { exception_type: 'CardGatewayTimeout', span_name: 'charge card' },
    },
  ],
};
