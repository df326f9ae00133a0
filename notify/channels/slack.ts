// Slack incoming webhook (https://api.slack.com/messaging/webhooks): one POST of `{ text, blocks }` per notification.
//
//   OutboxItem.incident ──viewIncident()──▶ slackMessage() ──postJson(webhook_url)──▶ 200 "ok" | 4xx | 429 | 5xx
//
// `text` is the one-line fallback shown in notifications; `blocks` is the message: a header, a section of fields,
// the root cause, and a context line with the CLI command. Incident text comes from telemetry, so `&`, `<` and `>`
// are escaped (Slack treats `<…>` as links and mentions: https://api.slack.com/reference/surfaces/formatting#escaping)
// and every text is cut to Slack's block limits (https://api.slack.com/reference/block-kit/blocks).
// The webhook URL is the credential: it is only ever passed to fetch, never into an error text.

import type { SlackConfig } from '../config.js';
import { postJson, type NotificationChannel } from '../delivery.js';
import { clip, incidentCommand, kindDetail, oneLineSummary, rootCauseText, viewIncident } from '../incident-view.js';
import { type NotificationKind, type OutboxItem } from '../../engine/index.js';

/** Slack's limits: header text 150 characters, section text and context text 3000, a section field 2000. */
export const SLACK_HEADER_MAX = 150;
export const SLACK_TEXT_MAX = 3000;
export const SLACK_FIELD_MAX = 2000;

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Escapes Slack's control characters, then cuts to `max` without splitting an entity. */
export function slackEscape(text: string, max: number = SLACK_TEXT_MAX): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (escaped.length <= max) return escaped;
  return `${clip(escaped, max).slice(0, -1).replace(/&[a-z]{0,3}$/, '')}…`;
}

export function slackMessage(item: OutboxItem): SlackMessage {
  const view = viewIncident(item.incident, item.incident_id);
  const kind: NotificationKind = item.kind;
  const summary = oneLineSummary(view, kind);
  const field = (label: string, value: string): SlackText => ({
    type: 'mrkdwn',
    text: `*${label}*\n${slackEscape(value === '' ? '–' : value, SLACK_FIELD_MAX - label.length - 3)}`,
  });
  const cause = rootCauseText(view);
  const lines = [
    slackEscape(kindDetail(view, kind)),
    `*Root cause:* ${cause === '' ? 'not determined yet' : slackEscape(cause)}`,
    view.description === '' ? '' : slackEscape(view.description),
  ].filter((line) => line !== '');
  return {
    text: slackEscape(summary),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: slackEscape(summary, SLACK_HEADER_MAX), emoji: false } },
      {
        type: 'section',
        fields: [
          field('Severity', view.severity.toUpperCase()),
          field('Status', view.status),
          field('Type', view.type),
          field('Components', view.components.join(', ')),
          field('Events', String(view.eventCount)),
          field('Detected', view.detectedAt),
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: clipLines(lines) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`\`${incidentCommand(view)}\``) }] },
    ],
  };
}

export function createSlackChannel(config: SlackConfig): NotificationChannel {
  const timeoutMs = config.timeout_seconds * 1000;
  return {
    name: 'slack',
    deliver: (item, attemptAt) => postJson(config.webhook_url, slackMessage(item), {}, timeoutMs, { channel: 'slack', now: attemptAt }),
  };
}

/** Joins already-escaped lines, cutting the whole to the section limit. */
function clipLines(lines: string[]): string {
  const joined = lines.join('\n');
  return joined.length <= SLACK_TEXT_MAX ? joined : `${clip(joined, SLACK_TEXT_MAX).slice(0, -1).replace(/&[a-z]{0,3}$/, '')}…`;
}
