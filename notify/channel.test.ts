import { describe, expect, it } from 'vitest';
import { createChannels } from './channel.js';
import { configuredChannels, createDefaultNotifyConfig, parseExportersConfig } from './config.js';

describe('createChannels', () => {
  it('builds one channel per configured channel, keyed and named as routing addresses them', () => {
    const config = parseExportersConfig({
      slack: { webhook_url: 'https://hooks.slack.com/services/x' },
      pagerduty: { routing_key: 'key' },
      email: { smtp: { host: 'mail' }, from: 'a@b.c', to: ['d@e.f'] },
      webhook: [
        { name: 'ops', url: 'https://ops.example.com' },
        { name: 'audit_log', url: 'https://audit.example.com' },
      ],
    });
    const channels = createChannels(config);
    try {
      expect([...channels.keys()]).toEqual(configuredChannels(config).map((channel) => channel.name));
      for (const [name, channel] of channels) expect(channel.name).toBe(name);
    } finally {
      for (const channel of channels.values()) channel.close?.();
    }
  });

  it('builds none without configured channels', () => {
    expect(createChannels(createDefaultNotifyConfig()).size).toBe(0);
  });
});
