// Item 5: failures of a workflow the app marks critical (workflow.critical: true) escalate the spike to critical.
import type { Scenario } from '../scenario.js';
import { requests, sendSpans, SpanKind } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'payouts-worker: 8 failed runs of a critical workflow (span attribute workflow.critical: true)',
  item: 5,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 8, 100, (n) => ({
      service: 'payouts-worker',
      name: 'run workflow',
      kind: SpanKind.INTERNAL,
      attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.name': 'merchant-payouts', 'workflow.id': `run-${n}`, 'workflow.critical': true },
    }));
    await sendSpans(endpoint, spans);
  },
  expected: [{ type: 'workflow_failure_spike', severity: 'critical', primary_source: 'payouts-worker', root_span_service: null, components: ['payouts-worker'] }],
};
