// Clean: an app reporting failed workflows as spans typed with firewatch.event_type.
import type { Scenario } from '../scenario.js';
import { requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'orders-worker reports 8 failed workflows',
  item: 0,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 8, 100, (n) => ({
      service: 'orders-worker',
      name: 'run workflow',
      kind: SpanKind.INTERNAL,
      attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.name': 'nightly-export', 'workflow.id': `wf-${n}` },
    }));
    await sendSpans(endpoint, spans);
  },
  expected: [{ type: 'workflow_failure_spike', severity: 'high', primary_source: 'orders-worker', root_span_service: null, components: ['orders-worker'] }],
};
