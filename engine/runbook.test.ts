import { describe, expect, it } from 'vitest';
import { runbookToJson } from './runbook.js';

// The parser's tests (parseRunbooksConfig) live with it in respond/runbook-config.test.ts.

describe('runbookToJson', () => {
  it('copies the runbook', () => {
    const runbook = { steps: ['a'], links: [{ title: 't', url: 'https://x.example/' }] };
    const json = runbookToJson(runbook);
    expect(json).toEqual(runbook);
    json.steps.push('b');
    (json.links[0] as { title: string }).title = 'changed';
    expect(runbook).toEqual({ steps: ['a'], links: [{ title: 't', url: 'https://x.example/' }] });
  });
});
