// Clean: a failure that ripples frontend → checkout → payments, each service exporting its own spans.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'payments fails, checkout and frontend fail with it (12 traces)',
  item: 0,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, () =>
      httpServer('frontend', '/checkout', 502, [httpServer('checkout', '/api/pay', 500, [httpServer('payments', '/charge', 500, [], 'card gateway timed out')], 'payments returned 500')], 'checkout returned 502'),
    );
    await sendSpans(endpoint, spans, { order: ['frontend', 'checkout', 'payments'] });
  },
  expected: [
    {
      type: 'error_burst',
      severity: 'critical',
      primary_source: 'payments',
      root_span_service: 'payments',
      components: ['frontend', 'checkout', 'payments'],
      root_span: { status_message: 'card gateway timed out' },
    },
  ],
};
