// Item 2: the ledger sits behind a proxy that propagates trace context but exports nothing, so the ledger's SERVER
// span points at a parent never exported; the gateway's CLIENT span names the ledger by peer.service.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'an unexported proxy between the gateway (peer.service ledger) and the ledger',
  item: 2,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 150, () =>
      httpServer('gateway', '/transfer', 502, [
        {
          service: 'gateway',
          name: 'POST',
          kind: SpanKind.CLIENT,
          attributes: { 'http.request.method': 'POST', 'peer.service': 'ledger', 'server.address': '10.1.4.20', 'server.port': 15001, 'http.response.status_code': 500 },
          error: '',
          children: [
            {
              service: 'envoy',
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
