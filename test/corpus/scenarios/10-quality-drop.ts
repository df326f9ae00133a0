// Clean: a CI pipeline reporting failed quality checks as logs typed with firewatch.event_type.
import type { Scenario } from '../scenario.js';
import { sendLogs, SeverityNumber } from '../telemetry.js';

export const scenario: Scenario = {
  title: 'ci reports 5 failed quality checks at 72 % coverage',
  item: 0,
  async send({ endpoint, origin }) {
    await sendLogs(
      endpoint,
      'ci',
      origin,
      Array.from({ length: 5 }, (_, i) => ({
        body: `quality gate failed on build ${i}`,
        severity: SeverityNumber.WARN,
        attributes: { 'firewatch.event_type': 'quality_check_failed', coverage: 72 },
        at: i * 100,
      })),
    );
  },
  expected: [{ type: 'quality_drop', severity: 'medium', primary_source: 'ci', root_span_service: null, components: ['ci'] }],
};
