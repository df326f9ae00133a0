// What one delivery attempt can come to, the channel interface, and the HTTP POST shared by the HTTP channels.
//
//   outbox worker ──item──▶ channel.deliver() ──postJson()──▶ fetch ──status──▶ DeliveryResult ──▶ worker decides
//
// Classification (RFC 9110 §15): 2xx delivered; 408, 425, 429 and 5xx are worth retrying (with Retry-After when the
// server sent one, RFC 9110 §10.2.3); any other status (4xx, and 3xx: redirects are not followed, so incident data
// and signatures go only where configured) is final → dead letter. Network errors and timeouts are retried.
//
// Error texts name the channel and the HTTP status (or the network error code) and nothing else: the URL, the
// headers and the body can hold secrets (Slack's URL is its credential, PagerDuty's routing key is in the body), and
// a receiver's response body could echo them. These texts end up in logs, `last_error` and dead-letter reasons.

import { STATUS_CODES } from 'node:http';
import type { RetryConfig } from './config.js';
import { type OutboxItem } from '../engine/index.js';

export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; error: string; retryAfterMs?: number }
  | { outcome: 'dead'; error: string };

export interface NotificationChannel {
  /** `slack`, `pagerduty`, `email` or `webhook:<name>`: what OutboxItem.channel holds. */
  readonly name: string;
  /** One attempt. Never throws: every failure is a DeliveryResult. `attemptAt` is the worker's clock (epoch ms). */
  deliver(item: OutboxItem, attemptAt: number): Promise<DeliveryResult>;
  /** Releases connections (the worker calls it on stop). */
  close?(): void;
}

/** The longest Retry-After honoured; a longer one is cut to this (then to retry.max_backoff_seconds). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export interface PostOptions {
  /** Named in error texts. */
  channel: string;
  /** Turns an HTTP-date Retry-After into a delay; default Date.now(). */
  now?: number;
}

/** POSTs a JSON body (a string is sent as is) and classifies the answer; never throws. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  options: PostOptions,
): Promise<DeliveryResult> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { outcome: 'retry', error: `${options.channel}: ${networkErrorText(error, timeoutMs)}` };
  }
  // Drain so the connection can be reused; the content is not read (see the header comment).
  await response.body?.cancel().catch(() => undefined);
  return classifyHttpStatus(response.status, response.headers.get('retry-after'), options.channel, options.now ?? Date.now());
}

export function classifyHttpStatus(status: number, retryAfter: string | null, channel: string, now: number): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered' };
  const error = `${channel}: HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterMs };
  }
  if (status >= 300 && status < 400) return { outcome: 'dead', error: `${error} (redirects are not followed)` };
  return { outcome: 'dead', error };
}

/** Retry-After as delay-seconds or an HTTP-date, in ms from `now`, clamped to [0, MAX_RETRY_AFTER_MS]. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    // HTTP-date (IMF-fixdate and the two obsolete forms) starts with a day name; Date.parse alone takes `-5`.
    if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return undefined;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/**
 * Delay before the next attempt after `attempts` failed ones (≥ 1): "full jitter" (a uniform draw in
 * [0, min(max, initial × 2^(attempts−1))]), raised to the server's Retry-After when given, and never above
 * max_backoff_seconds (the operator's bound wins over a server asking for longer).
 */
export function nextBackoffMs(
  attempts: number,
  retry: RetryConfig,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const maxMs = retry.max_backoff_seconds * 1000;
  const exponent = Math.min(Math.max(attempts, 1) - 1, 52); // 2^52 × anything ≥ 1 ms is past any max already
  const ceiling = Math.min(maxMs, retry.initial_backoff_seconds * 1000 * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.floor(draw * ceiling);
  return Math.min(maxMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** `timed out after 10s`, `ECONNREFUSED`…: the cause's code only, since Node's messages include host and port. */
function networkErrorText(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `timed out after ${timeoutMs / 1000}s`;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]+$/.test(cause.code) ? cause.code : undefined;
  return code === undefined ? 'network error' : `network error ${code}`;
}
