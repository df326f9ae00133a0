// PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/): an alert per
// incident, keyed by `dedup_key` = incident id, so later events update, acknowledge and resolve the same alert.
//
//   triggered, escalated ──▶ event_action trigger (a second trigger with the same dedup_key updates the alert)
//   acknowledged         ──▶ acknowledge      resolved ──▶ resolve      (these carry only routing_key, action, key)
//
// Answers: 202 accepted; 400 invalid event (final → dead letter); 429 throttled and 5xx (retried); postJson
// classifies them. The routing key is in the body, never in an error text.

import { isoTime } from '../../common/time.js';
import type { PagerDutyConfig } from '../config.js';
import { postJson, type NotificationChannel } from '../delivery.js';
import { clip, incidentCommand, rootCauseText, singleLine, viewIncident } from '../incident-view.js';
import { type NotificationKind, type OutboxItem, type Severity } from '../../engine/index.js';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** The spec's limits: summary 1024 characters, dedup_key 255. */
const SUMMARY_MAX = 1024;
const DEDUP_KEY_MAX = 255;
const FIELD_MAX = 255;

export const PAGERDUTY_ACTION: Readonly<Record<NotificationKind, PagerDutyAction>> = {
  triggered: 'trigger',
  escalated: 'trigger',
  acknowledged: 'acknowledge',
  resolved: 'resolve',
};

export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, PagerDutySeverity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export interface PagerDutyTriggerPayload {
  summary: string;
  source: string;
  severity: PagerDutySeverity;
  /** ISO-8601 (with milliseconds) of when the notification was created; left out when that is not a valid time. */
  timestamp?: string;
  component: string;
  group: string;
  class: string;
  custom_details: Record<string, unknown>;
}

export type PagerDutyEvent =
  | { routing_key: string; event_action: 'trigger'; dedup_key: string; payload: PagerDutyTriggerPayload; client: string }
  | { routing_key: string; event_action: 'acknowledge' | 'resolve'; dedup_key: string };

export function pagerDutyEvent(item: OutboxItem, routingKey: string): PagerDutyEvent {
  const view = viewIncident(item.incident, item.incident_id);
  const action = PAGERDUTY_ACTION[item.kind];
  const dedupKey = clip(view.id, DEDUP_KEY_MAX);
  if (action !== 'trigger') return { routing_key: routingKey, event_action: action, dedup_key: dedupKey };
  const severity = PAGERDUTY_SEVERITY[view.severity as Severity] ?? 'info';
  const component = view.primarySource || view.components[0] || '';
  const title = view.title === '' ? view.type : view.title;
  const timestamp = isoTime(item.created_at);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: clip(singleLine(`[${view.severity.toUpperCase()}] ${view.id} ${title}`), SUMMARY_MAX),
      source: clip(component || 'firewatch', FIELD_MAX),
      severity,
      ...(timestamp === null ? {} : { timestamp }),
      component: clip(component, FIELD_MAX),
      group: clip(view.components.join(','), FIELD_MAX),
      class: view.type,
      custom_details: {
        incident_id: view.id,
        notification: item.kind,
        incident_type: view.type,
        severity: view.severity,
        status: view.status,
        affected_components: view.components,
        event_count: view.eventCount,
        users_affected: view.usersAffected,
        detected_at: view.detectedAt,
        root_cause: rootCauseText(view),
        command: incidentCommand(view),
      },
    },
    client: 'firewatch',
  };
}

export function createPagerDutyChannel(config: PagerDutyConfig): NotificationChannel {
  const timeoutMs = config.timeout_seconds * 1000;
  return {
    name: 'pagerduty',
    deliver: (item, attemptAt) =>
      postJson(config.events_url, pagerDutyEvent(item, config.routing_key), {}, timeoutMs, { channel: 'pagerduty', now: attemptAt }),
  };
}
