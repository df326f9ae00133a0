// Item 5: two services sharing one API key hit its rate limit together: one incident, at the API.
import type { Scenario } from '../scenario.js';
import { httpCall, httpServer, requests, sendSpans } from '../telemetry.js';

const GITHUB = { host: 'api.github.com', port: 443 };

export const scenario: Scenario = {
  title: 'api.github.com answers 429 to ci-bot and release-bot (named by server.address only)',
  item: 5,
  async send({ endpoint, origin }) {
    for (const [i, service] of ['ci-bot', 'release-bot'].entries()) {
      const spans = await requests(origin + i * 40, 6, 100, () => httpServer(service, '/sync', 200, [httpCall(service, GITHUB, 429)]));
      await sendSpans(endpoint, spans);
    }
  },
  expected: [
    { type: 'api_rate_limit', severity: 'medium', primary_source: 'api.github.com:443', root_span_service: 'api.github.com:443', components: ['api.github.com:443', 'ci-bot', 'release-bot'] },
  ],
};
