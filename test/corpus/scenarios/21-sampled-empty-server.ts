// Item 2: the gateway's failing SERVER span has no status message and no exception; its only child (the call to the
// ledger) was sampled away, and the ledger's clock runs ahead so its span is not inside the gateway's. The ledger's
// span carries the exception: it is the root span, not the empty one.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'an empty failing gateway span whose only child was sampled away; the ledger (clock ahead) has the exception',
  item: 2,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, () => ({
      ...httpServer('gateway', '/transfer', 500),
      durationMs: 30,
      children: [
        {
          service: 'gateway',
          name: 'POST',
          kind: SpanKind.CLIENT,
          exported: false,
          durationMs: 25,
          children: [{ ...httpServer('ledger', '/entries', 500, [], 'lock wait timeout exceeded'), at: 60, durationMs: 20, exception: { type: 'LedgerLockTimeout', message: 'lock wait timeout exceeded on account 42' } }],
        },
      ],
    }));
    await sendSpans(endpoint, spans);
  },
  expected: [
    {
      type: 'error_burst',
      severity: 'critical',
      primary_source: 'ledger',
      root_span_service: 'ledger',
      components: ['gateway', 'ledger'],
      root_span: { exception_type: 'LedgerLockTimeout' },
    },
  ],
};
