// Item 2: a tail-sampling filter keeps only failing spans. The gateway's handler span (healthy) is dropped, so the
// gateway's failing CLIENT span points at a parent never exported; the failure lies in the ledger, whose lock span
// carries the exception.
import type { Scenario } from '../scenario.js';
import { failed, httpServer, requests, sendSpans, SpanKind, type SpanNode } from '../telemetry.js';

function transfer(): SpanNode {
  return {
    ...httpServer('gateway', '/transfer', 500),
    children: [
      {
        service: 'gateway',
        name: 'transfer handler',
        kind: SpanKind.INTERNAL,
        children: [
          {
            service: 'gateway',
            name: 'POST',
            kind: SpanKind.CLIENT,
            attributes: { 'http.request.method': 'POST', 'server.address': 'ledger', 'server.port': 8080, 'http.response.status_code': 500 },
            error: '',
            children: [
              {
                ...httpServer('ledger', '/entries', 500),
                children: [
                  { service: 'ledger', name: 'acquire lock', kind: SpanKind.INTERNAL, error: 'lock wait timeout exceeded', exception: { type: 'LedgerLockTimeout', message: 'lock wait timeout exceeded on account 42' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export const scenario: Scenario = {
  title: 'tail sampling drops the healthy handler span between the gateway and its failing call to the ledger',
  item: 2,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, transfer);
    await sendSpans(endpoint, spans, { keep: failed, split: 'per-trace' });
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
