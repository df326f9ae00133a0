// Builds the configured channels once at start: NotifyConfig ──createChannels()──▶ name → NotificationChannel.
// The outbox worker looks each item's `channel` up here; an item whose channel is gone (removed from the config
// since it was staged) is dead-lettered by the worker with a reason saying so.

import { configuredChannels, type ConfiguredChannel, type NotifyConfig } from './config.js';
import type { NotificationChannel } from './delivery.js';
import { createEmailChannel } from './channels/email.js';
import { createPagerDutyChannel } from './channels/pagerduty.js';
import { createSlackChannel } from './channels/slack.js';
import { createWebhookChannel } from './channels/webhook.js';

export type { DeliveryResult, NotificationChannel } from './delivery.js';

/**
 * One channel per configured exporter, keyed by its configuredChannels() name (`slack`, `pagerduty`, `email`,
 * `webhook:<name>`): the names routing addresses.
 */
export function createChannels(config: NotifyConfig): Map<string, NotificationChannel> {
  return new Map(configuredChannels(config).map((channel) => [channel.name, createChannel(channel)] as const));
}

function createChannel(channel: ConfiguredChannel): NotificationChannel {
  switch (channel.kind) {
    case 'slack':
      return createSlackChannel(channel.config);
    case 'pagerduty':
      return createPagerDutyChannel(channel.config);
    case 'email':
      return createEmailChannel(channel.config);
    case 'webhook':
      return createWebhookChannel(channel.config);
  }
}
