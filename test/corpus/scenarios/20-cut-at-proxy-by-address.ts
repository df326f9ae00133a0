// Item 2: as 19, but the gateway's CLIENT span names the ledger only by server.address (a Kubernetes service name).
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'an unexported proxy; the caller names the ledger by server.address ledger.payments.svc.cluster.local',
  item: 2,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, () =>
      httpServer('gateway', '/transfer', 502, [
        {
          service: 'gateway',
          name: 'POST',
          kind: SpanKind.CLIENT,
          attributes: { 'http.request.method': 'POST', 'server.address': 'ledger.payments.svc.cluster.local', 'server.port': 8080, 'http.response.status_code': 500 },
          error: '',
          children: [
            {
              service: 'linkerd-proxy',
              name: 'proxy',
              kind: SpanKind.SERVER,
              exported: false,
              children: [
                {
                  ...httpServer('ledger', '/entries', 500, [], 'lock wait timeout exceeded'),
                  exception: { type: 'LedgerLockTimeout', message: 'lock wait timeout exceeded on account 42' },
                },
              ],
            },
          ],
        },
      ]),
    );
    await sendSpans(endpoint, spans, { split: 'one' });
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
