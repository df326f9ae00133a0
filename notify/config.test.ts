import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-checks.js';
import { channelNames, createDefaultNotifyConfig, parseExportersConfig } from './config.js';

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/SLACKSECRETTOKEN';
const ROUTING_KEY = 'R0UT1NGKEYSECRET0123456789abcdef';
const SMTP_PASSWORD = 'smtp-pa55word-secret';
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const FULL_YAML = `
exporters:
  slack: { webhook_url: "${SLACK_URL}", min_severity: MEDIUM, timeout_seconds: 5 }
  pagerduty: { routing_key: "${ROUTING_KEY}", min_severity: critical }
  email:
    smtp: { host: smtp.example.com, port: 587, user: firewatch, password: "${SMTP_PASSWORD}" }
    from: "Firewatch <firewatch@example.com>"
    to: [ "oncall@example.com", "sre@example.com" ]
  webhook:
    - { name: ops, url: "https://ops.example.com/hooks/firewatch", secret: "${WEBHOOK_SECRET}", min_severity: low, headers: { X-Team: sre } }
    - { name: audit_log, url: "http://10.0.0.5:8080/in" }
  retry: { initial_backoff_seconds: 2, max_backoff_seconds: 60, max_attempts: 5 }
`;

function fullRaw(): Record<string, unknown> {
  return (parse(FULL_YAML) as { exporters: Record<string, unknown> }).exporters;
}

describe('parseExportersConfig', () => {
  it('defaults to no channels and the documented retry policy', () => {
    // act
    const config = parseExportersConfig(undefined);

    // verify
    expect(config).toEqual(createDefaultNotifyConfig());
    expect(config.retry).toEqual({ initial_backoff_seconds: 1, max_backoff_seconds: 300, max_attempts: 20 });
    expect(channelNames(config)).toEqual([]);
    expect(parseExportersConfig(null)).toEqual(createDefaultNotifyConfig());
  });

  it('reads every channel, applying per-channel defaults', () => {
    // act
    const config = parseExportersConfig(fullRaw());

    // verify
    expect(config.slack).toEqual({ webhook_url: SLACK_URL, min_severity: 'medium', timeout_seconds: 5 });
    expect(config.pagerduty).toEqual({
      routing_key: ROUTING_KEY,
      events_url: 'https://events.pagerduty.com/v2/enqueue',
      min_severity: 'critical',
      timeout_seconds: 10,
    });
    expect(config.email).toEqual({
      smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'firewatch', password: SMTP_PASSWORD },
      from: 'Firewatch <firewatch@example.com>',
      to: ['oncall@example.com', 'sre@example.com'],
      min_severity: 'high',
      timeout_seconds: 20,
    });
    expect(config.webhook).toEqual([
      {
        name: 'ops',
        url: 'https://ops.example.com/hooks/firewatch',
        secret: WEBHOOK_SECRET,
        min_severity: 'low',
        headers: { 'X-Team': 'sre' },
        timeout_seconds: 10,
      },
      { name: 'audit_log', url: 'http://10.0.0.5:8080/in', secret: null, min_severity: 'low', headers: {}, timeout_seconds: 10 },
    ]);
    expect(config.retry).toEqual({ initial_backoff_seconds: 2, max_backoff_seconds: 60, max_attempts: 5 });
    expect(channelNames(config)).toEqual(['slack', 'pagerduty', 'email', 'webhook:ops', 'webhook:audit_log']);
  });

  it('applies the severity routing defaults: slack medium, pagerduty critical, email high, webhook low', () => {
    // act
    const config = parseExportersConfig({
      slack: { webhook_url: SLACK_URL },
      pagerduty: { routing_key: ROUTING_KEY },
      email: { smtp: { host: 'mail', secure: true }, from: 'a@b.c', to: ['d@e.f'] },
      webhook: [{ name: 'w', url: 'https://w.example.com' }],
    });

    // verify
    expect(config.slack?.min_severity).toBe('medium');
    expect(config.pagerduty?.min_severity).toBe('critical');
    expect(config.email?.min_severity).toBe('high');
    expect(config.email?.smtp).toMatchObject({ port: 465, secure: true, user: null, password: null });
    expect(config.webhook[0]?.min_severity).toBe('low');
  });

  // Each case starts from the full, valid configuration and breaks one thing.
  const cases: Array<{ name: string; mutate: (raw: Record<string, any>) => void; path: string; detail: RegExp }> = [
    { name: 'unknown top-level key', mutate: (r) => (r.teams = {}), path: 'exporters.teams', detail: /unknown key/ },
    { name: 'unknown slack key', mutate: (r) => (r.slack.channel = '#ops'), path: 'exporters.slack.channel', detail: /unknown key/ },
    { name: 'slack URL missing', mutate: (r) => delete r.slack.webhook_url, path: 'exporters.slack.webhook_url', detail: /required/ },
    { name: 'slack URL not http', mutate: (r) => (r.slack.webhook_url = 'ftp://hooks.slack.com/x'), path: 'exporters.slack.webhook_url', detail: /http\(s\)/ },
    { name: 'slack URL garbage', mutate: (r) => (r.slack.webhook_url = 'not a url'), path: 'exporters.slack.webhook_url', detail: /http\(s\)/ },
    { name: 'URL with credentials', mutate: (r) => (r.webhook[0].url = 'https://u:p@x.example.com'), path: 'exporters.webhook[0].url', detail: /user:password/ },
    { name: 'bad severity', mutate: (r) => (r.slack.min_severity = 'urgent'), path: 'exporters.slack.min_severity', detail: /one of info, low/ },
    { name: 'timeout zero', mutate: (r) => (r.slack.timeout_seconds = 0), path: 'exporters.slack.timeout_seconds', detail: /above 0/ },
    { name: 'routing key empty', mutate: (r) => (r.pagerduty.routing_key = ' '), path: 'exporters.pagerduty.routing_key', detail: /empty/ },
    { name: 'events_url not http', mutate: (r) => (r.pagerduty.events_url = 'file:///etc/passwd'), path: 'exporters.pagerduty.events_url', detail: /http\(s\)/ },
    { name: 'email to empty', mutate: (r) => (r.email.to = []), path: 'exporters.email.to', detail: /non-empty list/ },
    { name: 'email to not a list', mutate: (r) => (r.email.to = 'x@y.z'), path: 'exporters.email.to', detail: /non-empty list/ },
    { name: 'email bad address', mutate: (r) => (r.email.to = ['ok@x.y', 'nope']), path: 'exporters.email.to[1]', detail: /address/ },
    { name: 'email header injection', mutate: (r) => (r.email.from = 'a@b.c\nBcc: evil@x.y'), path: 'exporters.email.from', detail: /address/ },
    { name: 'smtp missing', mutate: (r) => delete r.email.smtp, path: 'exporters.email.smtp', detail: /required/ },
    { name: 'smtp user without password', mutate: (r) => delete r.email.smtp.password, path: 'exporters.email.smtp.password', detail: /together/ },
    { name: 'smtp bad port', mutate: (r) => (r.email.smtp.port = 70000), path: 'exporters.email.smtp.port', detail: /port number/ },
    { name: 'smtp unknown key', mutate: (r) => (r.email.smtp.tls = true), path: 'exporters.email.smtp.tls', detail: /unknown key/ },
    { name: 'webhook not a list', mutate: (r) => (r.webhook = { name: 'x' }), path: 'exporters.webhook', detail: /list/ },
    { name: 'webhook secret prefix', mutate: (r) => (r.webhook[1].secret = 'c2VjcmV0'), path: 'exporters.webhook[1].secret', detail: /^must start with whsec_$/ },
    { name: 'webhook secret not base64', mutate: (r) => (r.webhook[0].secret = 'whsec_!!!!'), path: 'exporters.webhook[0].secret', detail: /base64/ },
    { name: 'webhook secret too short', mutate: (r) => (r.webhook[0].secret = 'whsec_c2VjcmV0'), path: 'exporters.webhook[0].secret', detail: /24 to 64 random bytes/ },
    { name: 'webhook name chars', mutate: (r) => (r.webhook[0].name = 'ops team'), path: 'exporters.webhook[0].name', detail: /A-Z a-z 0-9/ },
    { name: 'webhook duplicate name', mutate: (r) => (r.webhook[1].name = 'ops'), path: 'exporters.webhook[1].name', detail: /duplicate/ },
    { name: 'webhook reserved header', mutate: (r) => (r.webhook[0].headers = { 'Webhook-Id': 'x' }), path: 'exporters.webhook[0].headers.Webhook-Id', detail: /set by firewatch/ },
    { name: 'webhook header not a string', mutate: (r) => (r.webhook[0].headers = { 'X-N': 5 }), path: 'exporters.webhook[0].headers.X-N', detail: /string/ },
    { name: 'webhook header line break', mutate: (r) => (r.webhook[0].headers = { 'X-A': 'a\r\nX-B: b' }), path: 'exporters.webhook[0].headers.X-A', detail: /line breaks/ },
    { name: 'webhook unknown key', mutate: (r) => (r.webhook[1].method = 'PUT'), path: 'exporters.webhook[1].method', detail: /unknown key/ },
    { name: 'retry max below initial', mutate: (r) => (r.retry.max_backoff_seconds = 1), path: 'exporters.retry.max_backoff_seconds', detail: /at least initial/ },
    { name: 'retry attempts fraction', mutate: (r) => (r.retry.max_attempts = 2.5), path: 'exporters.retry.max_attempts', detail: /whole number/ },
    { name: 'retry unknown key', mutate: (r) => (r.retry.jitter = true), path: 'exporters.retry.jitter', detail: /unknown key/ },
    { name: 'slack not a mapping', mutate: (r) => (r.slack = 'https://x'), path: 'exporters.slack', detail: /mapping/ },
  ];

  it.each(cases)('refuses: $name', ({ mutate, path, detail }) => {
    // prepare
    const raw = fullRaw();
    mutate(raw);

    // act
    let error: unknown;
    try {
      parseExportersConfig(raw);
    } catch (caught) {
      error = caught;
    }

    // verify
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.path).toBe(path);
    expect(configError.message.startsWith(`${path}: `)).toBe(true);
    expect(configError.message.slice(path.length + 2)).toMatch(detail);
  });

  it('never echoes a secret in an error message', () => {
    // prepare: secrets placed where a check fails on them
    const leaky: Array<(raw: Record<string, any>) => void> = [
      (r) => (r.slack.webhook_url = 'gopher://SLACKSECRETTOKEN'),
      (r) => (r.slack.webhook_url = 'SLACKSECRETTOKEN'),
      (r) => (r.pagerduty.routing_key = 'has whitespace SLACKSECRETTOKEN'),
      (r) => (r.webhook[0].secret = 'SLACKSECRETTOKEN'),
      (r) => (r.webhook[0].secret = 'whsec_SLACKSECRETTOKEN'),
      (r) => (r.webhook[0].headers = { Authorization: 'Bearer SLACKSECRETTOKEN\n' }),
      (r) => (r.webhook[0].url = 'https://user:SLACKSECRETTOKEN@x.example.com'),
    ];
    for (const mutate of leaky) {
      const raw = fullRaw();
      mutate(raw);

      // act + verify
      expect(() => parseExportersConfig(raw)).toThrow(ConfigError);
      try {
        parseExportersConfig(raw);
      } catch (error) {
        expect((error as Error).message).not.toContain('SLACKSECRETTOKEN');
      }
    }
  });

  it('names errors under the path it is given', () => {
    expect(() => parseExportersConfig({ slack: {} }, 'config.exporters')).toThrow('config.exporters.slack.webhook_url: is required');
  });
});
