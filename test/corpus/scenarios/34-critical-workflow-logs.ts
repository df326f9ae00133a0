// Item 5: the same from logs, and a non-critical workflow beside it stays high.
import type { Scenario } from '../scenario.js';
import { sendLogs } from '../telemetry.js';

const failure = (workflow: string, critical: boolean) => (i: number) => ({
  body: `workflow ${workflow} run ${i} failed`,
  attributes: { 'firewatch.event_type': 'workflow_failed', 'workflow.name': workflow, 'workflow.critical': critical },
  at: i * 100,
});

export const scenario: Scenario = {
  title: 'settlement (critical) and newsletter (not critical) each fail 8 runs, reported as logs',
  item: 5,
  async send({ endpoint, origin }) {
    await sendLogs(endpoint, 'settlement', origin, Array.from({ length: 8 }, (_, i) => failure('daily-settlement', true)(i)));
    await sendLogs(endpoint, 'newsletter', origin, Array.from({ length: 8 }, (_, i) => failure('weekly-newsletter', false)(i)));
  },
  expected: [
    { type: 'workflow_failure_spike', severity: 'critical', primary_source: 'settlement', root_span_service: null, components: ['settlement'] },
    { type: 'workflow_failure_spike', severity: 'high', primary_source: 'newsletter', root_span_service: null, components: ['newsletter'] },
  ],
};
