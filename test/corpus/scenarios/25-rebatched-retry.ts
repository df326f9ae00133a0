// Item 3: a Collector in front re-batches an application's retry, so the repeated spans arrive mixed into exports
// with others.
import type { Scenario } from '../scenario.js';
import { httpServer, requests, sendSpans } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'billing: 12 failing requests in two overlapping exports (traces 5–8 in both)',
  item: 3,
  async send({ endpoint, origin }) {
    const spans = await requests(origin, 12, 100, () => httpServer('billing', '/invoice', 500, [], 'template not found'));
    await sendSpans(endpoint, spans.slice(0, 8), { split: 'one' });
    await sendSpans(endpoint, spans.slice(4), { split: 'one' });
  },
  expected: [
    { type: 'error_burst', severity: 'critical', primary_source: 'billing', root_span_service: 'billing', components: ['billing'], event_count: 12 },
  ],
};
