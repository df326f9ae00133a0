// Builds the configured channels once at start: NotifyConfig ──createChannels()──▶ name → NotificationChannel.
// The outbox worker looks each item's `channel` up here; an item whose channel is gone (removed from the config
// since it was staged) is dead-lettered by the worker with a reason saying so.

import { channelNames, type NotifyConfig } from './config.js';
import type { NotificationChannel } from './delivery.js';
import { createEmailChannel } from './channels/email.js';
import { createPagerDutyChannel } from './channels/pagerduty.js';
import { createSlackChannel } from './channels/slack.js';
import { createWebhookChannel } from './channels/webhook.js';

export type { DeliveryResult, NotificationChannel } from './delivery.js';

/** One channel per configured exporter, keyed by channelNames() (`slack`, `pagerduty`, `email`, `webhook:<name>`). */
export function createChannels(config: NotifyConfig): Map<string, NotificationChannel> {
  const channels: NotificationChannel[] = [];
  if (config.slack) channels.push(createSlackChannel(config.slack));
  if (config.pagerduty) channels.push(createPagerDutyChannel(config.pagerduty));
  if (config.email) channels.push(createEmailChannel(config.email));
  for (const hook of config.webhook) channels.push(createWebhookChannel(hook));
  const byName = new Map(channels.map((channel) => [channel.name, channel] as const));
  // channelNames() is what routing addresses; the two lists must agree.
  const expected = channelNames(config);
  if (expected.length !== byName.size || expected.some((name) => !byName.has(name))) {
    throw new Error(`channel names disagree: ${expected.join(', ')}`);
  }
  return byName;
}
