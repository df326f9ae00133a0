// The `exporters` section of the configuration: which channels get notifications, at what severity, and how
// deliveries are retried.
//
//   YAML (after ${env:VAR} expansion by daemon/config.ts) ──parseExportersConfig()──▶ NotifyConfig ──▶ createChannels()
//
// Every key is checked and an unknown key fails at start with its full path. Values that are secrets (the Slack
// webhook URL, the PagerDuty routing key, the SMTP password, webhook secrets and header values) are never echoed in
// an error message: the message names the key and what is wrong with it.
//
// Default routing follows the product's severity table: LOW → log only; MEDIUM/HIGH → Slack; CRITICAL → PagerDuty
// and Slack. Email defaults to HIGH and generic webhooks to LOW (they feed other systems, which filter themselves).

import {
  boolean,
  ConfigError,
  describeValue,
  headerMap,
  httpUrl,
  mapping,
  nonEmptyString,
  positiveNumber,
  wholeNumber,
} from '../common/config-checks.js';
import { SEVERITIES, type Severity } from '../engine/index.js';

export interface RetryConfig {
  /** Backoff before the second attempt, seconds; doubles per attempt (with full jitter). Default 1. */
  initial_backoff_seconds: number;
  /** Longest wait between attempts, seconds; also caps a server's Retry-After. Default 300. */
  max_backoff_seconds: number;
  /** Attempts before a notification is dead-lettered. Default 20. */
  max_attempts: number;
}

export interface SlackConfig {
  /** Incoming-webhook URL (a secret). Required. */
  webhook_url: string;
  /** Lowest incident severity posted. Default `medium`. */
  min_severity: Severity;
  /** Per-request timeout, seconds. Default 10. */
  timeout_seconds: number;
}

export interface PagerDutyConfig {
  /** Events API v2 integration key (a secret). Required. */
  routing_key: string;
  /** Default `https://events.pagerduty.com/v2/enqueue` (the EU service uses events.eu.pagerduty.com). */
  events_url: string;
  /** Lowest incident severity that pages. Default `critical`. */
  min_severity: Severity;
  /** Per-request timeout, seconds. Default 10. */
  timeout_seconds: number;
}

export interface SmtpConfig {
  host: string;
  /** Default 465 when `secure`, else 587. */
  port: number;
  /** TLS from the first byte (port 465). Default: true when port is 465. Otherwise STARTTLS is used when offered. */
  secure: boolean;
  /** SMTP AUTH user; null: no authentication. Set together with `password`. */
  user: string | null;
  /** A secret. */
  password: string | null;
}

export interface EmailConfig {
  smtp: SmtpConfig;
  /** Sender address (`firewatch@example.com` or `Firewatch <firewatch@example.com>`). Required. */
  from: string;
  /** Recipients; at least one. */
  to: string[];
  /** Default `high`. */
  min_severity: Severity;
  /** Connection, greeting and socket-inactivity timeout, seconds. Default 20. */
  timeout_seconds: number;
}

export interface WebhookConfig {
  /** Unique among webhooks, `[A-Za-z0-9_-]+`; the channel is `webhook:<name>`. */
  name: string;
  /** http(s) URL receiving the POSTs. */
  url: string;
  /** Standard Webhooks secret `whsec_<base64 of 24–64 bytes>`; null: requests are not signed. */
  secret: string | null;
  /** Default `low`. */
  min_severity: Severity;
  /** Extra request headers (e.g. an Authorization token; values are treated as secrets). Default none. */
  headers: Record<string, string>;
  /** Per-request timeout, seconds. Default 10. */
  timeout_seconds: number;
}

export interface NotifyConfig {
  /** null: no Slack channel (default). */
  slack: SlackConfig | null;
  /** null: no PagerDuty channel (default). */
  pagerduty: PagerDutyConfig | null;
  /** null: no email channel (default). */
  email: EmailConfig | null;
  /** Default none. */
  webhook: WebhookConfig[];
  retry: RetryConfig;
}

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 10;
export const DEFAULT_EMAIL_TIMEOUT_SECONDS = 20;
export const DEFAULT_MIN_SEVERITY = {
  slack: 'medium',
  pagerduty: 'critical',
  email: 'high',
  webhook: 'low',
} as const satisfies Record<string, Severity>;
/** Prefix of a Standard Webhooks secret (https://www.standardwebhooks.com/, "Signature scheme"). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The spec's size for a signing secret: between 24 and 64 bytes. */
const WEBHOOK_SECRET_MIN_BYTES = 24;
const WEBHOOK_SECRET_MAX_BYTES = 64;
const MAX_TIMEOUT_SECONDS = 300;
const MAX_BACKOFF_SECONDS = 86_400;
const MAX_ATTEMPTS = 1_000;
const SMTP_PORT_TLS = 465;
const SMTP_PORT_SUBMISSION = 587;
/** Headers the webhook channel sets itself; a configured header may not replace them. */
const RESERVED_WEBHOOK_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

export function createDefaultRetryConfig(): RetryConfig {
  return { initial_backoff_seconds: 1, max_backoff_seconds: 300, max_attempts: 20 };
}

/** No channels: notifications are only logged until a channel is configured. */
export function createDefaultNotifyConfig(): NotifyConfig {
  return { slack: null, pagerduty: null, email: null, webhook: [], retry: createDefaultRetryConfig() };
}

/** Channel names in a fixed order: `slack`, `pagerduty`, `email`, then `webhook:<name>` in file order. */
export function channelNames(config: NotifyConfig): string[] {
  const names: string[] = [];
  if (config.slack) names.push('slack');
  if (config.pagerduty) names.push('pagerduty');
  if (config.email) names.push('email');
  for (const hook of config.webhook) names.push(webhookChannelName(hook.name));
  return names;
}

export function webhookChannelName(name: string): string {
  return `webhook:${name}`;
}

/** Validates the `exporters` mapping (null or absent: defaults); throws ConfigError naming the bad key. */
export function parseExportersConfig(raw: unknown, path = 'exporters'): NotifyConfig {
  const config = createDefaultNotifyConfig();
  if (raw === null || raw === undefined) return config;
  const fields = mapping(raw, path, ['slack', 'pagerduty', 'email', 'webhook', 'retry']);
  if (present(fields.slack)) config.slack = parseSlack(fields.slack, `${path}.slack`);
  if (present(fields.pagerduty)) config.pagerduty = parsePagerDuty(fields.pagerduty, `${path}.pagerduty`);
  if (present(fields.email)) config.email = parseEmail(fields.email, `${path}.email`);
  if (present(fields.webhook)) config.webhook = parseWebhooks(fields.webhook, `${path}.webhook`);
  if (present(fields.retry)) config.retry = parseRetry(fields.retry, `${path}.retry`);
  return config;
}

function parseSlack(raw: unknown, path: string): SlackConfig {
  const fields = mapping(raw, path, ['webhook_url', 'min_severity', 'timeout_seconds']);
  return {
    webhook_url: channelUrl(required(fields, 'webhook_url', path), `${path}.webhook_url`),
    min_severity: optional(fields.min_severity, `${path}.min_severity`, severity, DEFAULT_MIN_SEVERITY.slack),
    timeout_seconds: optional(fields.timeout_seconds, `${path}.timeout_seconds`, timeout, DEFAULT_HTTP_TIMEOUT_SECONDS),
  };
}

function parsePagerDuty(raw: unknown, path: string): PagerDutyConfig {
  const fields = mapping(raw, path, ['routing_key', 'events_url', 'min_severity', 'timeout_seconds']);
  const keyPath = `${path}.routing_key`;
  const routingKey = secretString(required(fields, 'routing_key', path), keyPath);
  if (/\s/.test(routingKey)) throw new ConfigError(keyPath, 'must not contain whitespace');
  return {
    routing_key: routingKey,
    events_url: optional(fields.events_url, `${path}.events_url`, channelUrl, DEFAULT_PAGERDUTY_EVENTS_URL),
    min_severity: optional(fields.min_severity, `${path}.min_severity`, severity, DEFAULT_MIN_SEVERITY.pagerduty),
    timeout_seconds: optional(fields.timeout_seconds, `${path}.timeout_seconds`, timeout, DEFAULT_HTTP_TIMEOUT_SECONDS),
  };
}

function parseEmail(raw: unknown, path: string): EmailConfig {
  const fields = mapping(raw, path, ['smtp', 'from', 'to', 'min_severity', 'timeout_seconds']);
  const toPath = `${path}.to`;
  const to = required(fields, 'to', path);
  if (!Array.isArray(to) || to.length === 0) {
    throw new ConfigError(toPath, `must be a non-empty list of addresses, got ${describeValue(to)}`);
  }
  return {
    smtp: parseSmtp(required(fields, 'smtp', path), `${path}.smtp`),
    from: mailbox(required(fields, 'from', path), `${path}.from`),
    to: to.map((item, index) => mailbox(item, `${toPath}[${index}]`)),
    min_severity: optional(fields.min_severity, `${path}.min_severity`, severity, DEFAULT_MIN_SEVERITY.email),
    timeout_seconds: optional(fields.timeout_seconds, `${path}.timeout_seconds`, timeout, DEFAULT_EMAIL_TIMEOUT_SECONDS),
  };
}

function parseSmtp(raw: unknown, path: string): SmtpConfig {
  const fields = mapping(raw, path, ['host', 'port', 'secure', 'user', 'password']);
  const host = nonEmptyString(required(fields, 'host', path), `${path}.host`);
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new ConfigError(`${path}.host`, `must be a host name or address, got ${describeValue(host)}`);
  const port = present(fields.port) ? portNumber(fields.port, `${path}.port`) : undefined;
  const secure = present(fields.secure) ? boolean(fields.secure, `${path}.secure`) : port === SMTP_PORT_TLS;
  const user = present(fields.user) ? nonEmptyString(fields.user, `${path}.user`) : null;
  const password = present(fields.password) ? secretString(fields.password, `${path}.password`) : null;
  if ((user === null) !== (password === null)) {
    throw new ConfigError(user === null ? `${path}.user` : `${path}.password`, 'user and password are set together (or neither)');
  }
  return { host, port: port ?? (secure ? SMTP_PORT_TLS : SMTP_PORT_SUBMISSION), secure, user, password };
}

function parseWebhooks(raw: unknown, path: string): WebhookConfig[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of webhooks, got ${describeValue(raw)}`);
  const seen = new Set<string>();
  return raw.map((item, index) => {
    const hook = parseWebhook(item, `${path}[${index}]`);
    if (seen.has(hook.name)) throw new ConfigError(`${path}[${index}].name`, `duplicate webhook name ${describeValue(hook.name)}`);
    seen.add(hook.name);
    return hook;
  });
}

function parseWebhook(raw: unknown, path: string): WebhookConfig {
  const fields = mapping(raw, path, ['name', 'url', 'secret', 'min_severity', 'headers', 'timeout_seconds']);
  const name = nonEmptyString(required(fields, 'name', path), `${path}.name`);
  if (!/^[A-Za-z0-9_-]+$/.test(name) || name.length > 64) {
    throw new ConfigError(`${path}.name`, `must be 1–64 characters of A-Z a-z 0-9 _ -, got ${describeValue(name)}`);
  }
  return {
    name,
    url: channelUrl(required(fields, 'url', path), `${path}.url`),
    secret: present(fields.secret) ? webhookSecret(fields.secret, `${path}.secret`) : null,
    min_severity: optional(fields.min_severity, `${path}.min_severity`, severity, DEFAULT_MIN_SEVERITY.webhook),
    headers: present(fields.headers) ? headerMap(fields.headers, `${path}.headers`, { reserved: RESERVED_WEBHOOK_HEADERS }) : {},
    timeout_seconds: optional(fields.timeout_seconds, `${path}.timeout_seconds`, timeout, DEFAULT_HTTP_TIMEOUT_SECONDS),
  };
}

function parseRetry(raw: unknown, path: string): RetryConfig {
  const fields = mapping(raw, path, ['initial_backoff_seconds', 'max_backoff_seconds', 'max_attempts']);
  const defaults = createDefaultRetryConfig();
  const backoff = (value: unknown, at: string) => positiveNumber(value, at, MAX_BACKOFF_SECONDS);
  const retry: RetryConfig = {
    initial_backoff_seconds: optional(fields.initial_backoff_seconds, `${path}.initial_backoff_seconds`, backoff, defaults.initial_backoff_seconds),
    max_backoff_seconds: optional(fields.max_backoff_seconds, `${path}.max_backoff_seconds`, backoff, defaults.max_backoff_seconds),
    max_attempts: optional(fields.max_attempts, `${path}.max_attempts`, attemptCount, defaults.max_attempts),
  };
  if (retry.max_backoff_seconds < retry.initial_backoff_seconds) {
    throw new ConfigError(
      `${path}.max_backoff_seconds`,
      `must be at least initial_backoff_seconds (${retry.initial_backoff_seconds}), got ${retry.max_backoff_seconds}`,
    );
  }
  return retry;
}

// ---- value checks -----------------------------------------------------------------------------------------------

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function required(fields: Record<string, unknown>, key: string, path: string): unknown {
  const value = fields[key];
  if (!present(value)) throw new ConfigError(`${path}.${key}`, 'is required');
  return value;
}

function optional<T>(raw: unknown, path: string, check: (value: unknown, path: string) => T, fallback: T): T {
  return present(raw) ? check(raw, path) : fallback;
}

/** Like nonEmptyString(), but the message never shows the value. */
function secretString(raw: unknown, path: string): string {
  if (typeof raw !== 'string') throw new ConfigError(path, `must be a string, got ${typeof raw === 'object' ? describeValue(raw) : typeof raw}`);
  if (raw.trim() === '') throw new ConfigError(path, 'must not be empty');
  return raw;
}

/** A channel's http(s) URL (never echoed); fetch refuses user:password@, credentials belong in webhook headers. */
function channelUrl(raw: unknown, path: string): string {
  return httpUrl(raw, path, 'put them in webhook headers');
}

function severity(raw: unknown, path: string): Severity {
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const found = SEVERITIES.find((candidate) => candidate === value);
  if (found === undefined) throw new ConfigError(path, `must be one of ${SEVERITIES.join(', ')}, got ${describeValue(raw)}`);
  return found;
}

function timeout(raw: unknown, path: string): number {
  return positiveNumber(raw, path, MAX_TIMEOUT_SECONDS);
}

function attemptCount(raw: unknown, path: string): number {
  return wholeNumber(raw, path, 1, MAX_ATTEMPTS);
}

function portNumber(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 65_535) {
    throw new ConfigError(path, `must be a port number from 1 to 65535, got ${describeValue(raw)}`);
  }
  return raw;
}

const ADDRESS = /^[^\s@<>"(),;:\\[\]]+@[A-Za-z0-9.-]+$/;

/** `user@host` or `Display Name <user@host>`; no line breaks (header injection). */
function mailbox(raw: unknown, path: string): string {
  const value = nonEmptyString(raw, path).trim();
  const angle = /^([^<>\r\n"]*)<([^<>]+)>$/.exec(value);
  const address = angle ? angle[2]! : value;
  if (/[\r\n]/.test(value) || !ADDRESS.test(address)) {
    throw new ConfigError(path, `must be an address like oncall@example.com or "Name <oncall@example.com>", got ${describeValue(raw)}`);
  }
  return value;
}

function webhookSecret(raw: unknown, path: string): string {
  const value = secretString(raw, path);
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) throw new ConfigError(path, `must start with ${WEBHOOK_SECRET_PREFIX}`);
  const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new ConfigError(path, `must be ${WEBHOOK_SECRET_PREFIX} followed by base64`);
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < WEBHOOK_SECRET_MIN_BYTES || bytes > WEBHOOK_SECRET_MAX_BYTES) {
    throw new ConfigError(
      path,
      `must encode ${WEBHOOK_SECRET_MIN_BYTES} to ${WEBHOOK_SECRET_MAX_BYTES} random bytes (Standard Webhooks), got ${bytes}`,
    );
  }
  return value;
}

// ---- configured channels ----------------------------------------------------------------------------------------

/**
 * One configured channel: its name (what OutboxItem.channel holds), the lowest severity it is told about, and its
 * own settings, tagged by `kind` so a caller can build the channel from them.
 */
export type ConfiguredChannel =
  | { name: 'slack'; kind: 'slack'; minSeverity: Severity; config: SlackConfig }
  | { name: 'pagerduty'; kind: 'pagerduty'; minSeverity: Severity; config: PagerDutyConfig }
  | { name: 'email'; kind: 'email'; minSeverity: Severity; config: EmailConfig }
  | { name: string; kind: 'webhook'; minSeverity: Severity; config: WebhookConfig };

/**
 * The configured channels, in channelNames() order (`slack`, `pagerduty`, `email`, then `webhook:<name>` in file
 * order): the one list routing (which channels an incident reaches) and createChannels (what delivers) both use.
 */
export function configuredChannels(config: NotifyConfig): ConfiguredChannel[] {
  const channels: ConfiguredChannel[] = [];
  if (config.slack) channels.push({ name: 'slack', kind: 'slack', minSeverity: config.slack.min_severity, config: config.slack });
  if (config.pagerduty) {
    channels.push({ name: 'pagerduty', kind: 'pagerduty', minSeverity: config.pagerduty.min_severity, config: config.pagerduty });
  }
  if (config.email) channels.push({ name: 'email', kind: 'email', minSeverity: config.email.min_severity, config: config.email });
  for (const hook of config.webhook) {
    channels.push({ name: webhookChannelName(hook.name), kind: 'webhook', minSeverity: hook.min_severity, config: hook });
  }
  return channels;
}
