import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, testIncident, testItem, type TestReceiver } from '../../test/helpers/notify-fixtures.js';
import { createSlackChannel, SLACK_HEADER_MAX, SLACK_TEXT_MAX, slackEscape, slackMessage, type SlackBlock } from './slack.js';

describe('slack channel', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs { text, blocks } to the webhook URL', async () => {
    // prepare
    receiver = await startReceiver({ status: 200, body: 'ok' });
    const channel = createSlackChannel({ webhook_url: receiver.url, min_severity: 'medium', timeout_seconds: 2 });

    // act
    const result = await channel.deliver(testItem({ channel: 'slack' }), Date.now());

    // verify
    expect(result).toEqual({ outcome: 'delivered' });
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as { text: string; blocks: SlackBlock[] };
    expect(body.text).toBe('[CRITICAL] inc_00003 Service Down - checkout (triggered)');
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    const [header, facts, cause, context] = body.blocks as [any, any, any, any];
    expect(header.text).toEqual({ type: 'plain_text', text: '[CRITICAL] inc_00003 Service Down - checkout (triggered)', emoji: false });
    expect(facts.fields.map((field: { text: string }) => field.text)).toEqual([
      '*Severity*\nCRITICAL',
      '*Status*\ndetected',
      '*Type*\nservice_down',
      '*Components*\ncheckout, payments',
      '*Events*\n42',
      '*Detected*\n2025-02-05T10:30:00.000Z',
    ]);
    expect(cause.text.type).toBe('mrkdwn');
    expect(cause.text.text).toContain('*Root cause:* TimeoutError on checkout; root span payments POST /charge (TimeoutError: upstream timed out)');
    expect(context.elements).toEqual([{ type: 'mrkdwn', text: '`firewatch incidents get inc_00003`' }]);
  });

  it('escapes &, < and > from telemetry and says what happened for resolved', () => {
    // prepare
    const incident = testIncident({
      title: 'Error Burst - <!channel> & co',
      affected_components: ['a<b>'],
      status: 'resolved',
      resolution: 'ana: restarted <pool>',
    });

    // act
    const message = slackMessage(testItem({ channel: 'slack', kind: 'resolved' }, incident));

    // verify
    expect(message.text).toBe('[CRITICAL] inc_00003 Error Burst - &lt;!channel&gt; &amp; co (resolved)');
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('a&lt;b&gt;');
    expect(json).toContain('Resolved: ana: restarted &lt;pool&gt;');
  });

  it('caps every text at the block limits without splitting an escape', () => {
    // prepare
    const incident = testIncident({ title: '&'.repeat(5000), description: '<'.repeat(5000), affected_components: ['x'.repeat(3000)] });

    // act
    const message = slackMessage(testItem({ channel: 'slack' }, incident));

    // verify
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_HEADER_MAX);
    expect(header.text.text).toMatch(/(&amp;)+…$/);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX);
    const section = message.blocks[2] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX);
    const fields = (message.blocks[1] as { fields: Array<{ text: string }> }).fields;
    for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(2000);
    expect(slackEscape('a&b', 4)).toBe('a…');
  });

  it('dead-letters a 404 (channel gone) without showing the webhook URL', async () => {
    receiver = await startReceiver({ status: 404, body: 'no_service' });
    const url = receiver.url.replace('/hook', '/services/T0/B0/SECRETTOKEN');
    const channel = createSlackChannel({ webhook_url: url, min_severity: 'medium', timeout_seconds: 2 });
    const result = await channel.deliver(testItem({ channel: 'slack' }), Date.now());
    expect(result).toEqual({ outcome: 'dead', error: 'slack: HTTP 404 Not Found' });
  });
});
