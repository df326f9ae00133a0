// Delivers what the outbox holds, at least once, in order per channel × incident.
//
//   daemon commits incident + outbox items ──poke()──▶ pump(): outbox.due() ──▶ channel.deliver() (≤ maxConcurrent)
//      delivered ──▶ outbox.markDelivered()            (removed only now: a kill -9 before this re-sends, same id)
//      retry     ──▶ attempts+1, next_attempt_at = now + nextBackoffMs(), last_error ──▶ outbox.reschedule()
//                    (dead letter once attempts reach retry.max_attempts)
//      dead      ──▶ outbox.deadLetter()     channel no longer configured ──▶ outbox.deadLetter() without an attempt
//
// No polling loop: after each pass the worker sleeps on one unref()ed timer until outbox.nextDueAt() (at most
// MAX_SLEEP_MS, so a wall-clock jump cannot strand it), or until poke() or a finished delivery wakes it. pump() is
// synchronous, so passes never overlap; an item is in flight at most once (the `inFlight` map, passed to the outbox
// as `skip`), and the outbox only offers the first item of each stream, so a resolve never overtakes its trigger.

import { isoTime } from '../common/time.js';
import type { Logger } from '../common/logger.js';
import type { Outbox } from '../store/outbox.js';
import type { RetryConfig } from './config.js';
import { nextBackoffMs, type DeliveryResult, type NotificationChannel } from './delivery.js';
import { type OutboxItem } from '../engine/index.js';

export interface OutboxWorkerOptions {
  outbox: Outbox;
  /** createChannels(config); the caller owns them (closes them after stop()). */
  channels: ReadonlyMap<string, NotificationChannel>;
  retry: RetryConfig;
  /** epoch ms; default Date.now. Stamps attempts and schedules retries. */
  clock?: () => number;
  /** [0, 1); default Math.random. The backoff's jitter. */
  random?: () => number;
  log?: Logger;
  /** Deliveries in flight at once. Default 4. */
  maxConcurrent?: number;
}

export interface OutboxWorkerStats {
  delivered: number;
  /** Failed attempts that were rescheduled. */
  retried: number;
  deadLettered: number;
  /** Items in the outbox, in flight included. */
  pending: number;
  inFlight: number;
}

export interface OutboxWorker {
  start(): void;
  /** New items were committed (or the clock moved): look for due items now. */
  poke(): void;
  /** Stops taking items and resolves once the deliveries in flight have finished and been recorded. */
  stop(): Promise<void>;
  stats(): OutboxWorkerStats;
  /** Resolves once nothing is in flight and nothing is due (now); at once when not running. For tests and drains. */
  idle(): Promise<void>;
}

export const DEFAULT_MAX_CONCURRENT = 4;
/** Longest sleep between passes, whatever nextDueAt() says. */
export const MAX_SLEEP_MS = 60_000;
/** A due item not offered yet is staged but not committed: look again after this long (the daemon pokes anyway). */
const UNCOMMITTED_RECHECK_MS = 100;
/** After the outbox itself failed (disk full, closed), wait this long before the next pass instead of spinning. */
const STORE_ERROR_PAUSE_MS = 5_000;

const silent: Logger = { info() {}, warn() {}, error() {} };

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { outbox, channels, retry } = options;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log ?? silent;
  const maxConcurrent = Math.max(1, options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  const inFlight = new Map<string, Promise<void>>();
  const counts = { delivered: 0, retried: 0, deadLettered: 0 };
  let idleWaiters: Array<() => void> = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  /** performance.now() before which no pass runs (after a store failure). */
  let pausedUntil = 0;

  function pump(): void {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const pause = pausedUntil - performance.now();
    if (pause > 0) {
      sleep(pause);
      return;
    }
    const now = clock();
    const free = maxConcurrent - inFlight.size;
    if (free > 0) {
      for (const item of outbox.due(now, free, new Set(inFlight.keys()))) launch(item, now);
    }
    if (inFlight.size >= maxConcurrent) return; // a finished delivery pumps again
    const next = outbox.nextDueAt(new Set(inFlight.keys()));
    if (next === undefined) {
      if (inFlight.size === 0) wakeIdle();
      return; // nothing pending: poke() wakes us
    }
    if (next > now && inFlight.size === 0) wakeIdle();
    sleep(next > now ? next - now : UNCOMMITTED_RECHECK_MS);
  }

  function sleep(ms: number): void {
    timer = setTimeout(pump, Math.min(Math.max(ms, 0), MAX_SLEEP_MS));
    timer.unref();
  }

  function wakeIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function launch(item: OutboxItem, now: number): void {
    const done = attempt(item, now)
      .catch((error: unknown) => {
        // Only the outbox's own writes get here (channels never throw): do not retry the delivery at once.
        pausedUntil = performance.now() + STORE_ERROR_PAUSE_MS;
        // LMDB's messages (MDB_MAP_FULL…) hold no item content, so this one is kept.
        const message = error instanceof Error ? error.message.slice(0, 200) : String(error);
        log.error('notification outbox write failed', { id: item.id, channel: item.channel, error: message });
      })
      .finally(() => {
        inFlight.delete(item.id);
        pump();
      });
    inFlight.set(item.id, done);
  }

  async function attempt(item: OutboxItem, now: number): Promise<void> {
    const channel = channels.get(item.channel);
    if (channel === undefined) {
      const reason = `channel ${item.channel} is not configured (removed from exporters since this notification was queued)`;
      await outbox.deadLetter(item, reason, now);
      counts.deadLettered++;
      log.warn('notification dead-lettered', fields(item, { reason }));
      return;
    }
    let result: DeliveryResult;
    try {
      result = await channel.deliver(item, now);
    } catch (error) {
      // A channel bug; its message could hold anything, so only the error's class is kept.
      result = { outcome: 'retry', error: `${item.channel}: unexpected ${errorName(error)}` };
    }
    const attempts = item.attempts + 1;
    const after = clock();
    if (result.outcome === 'delivered') {
      await outbox.markDelivered(item.id);
      counts.delivered++;
      log.info('notification delivered', fields(item, { attempts }));
      return;
    }
    const failed: OutboxItem = { ...item, attempts, last_error: result.error };
    if (result.outcome === 'dead' || attempts >= retry.max_attempts) {
      const reason = result.outcome === 'dead' ? result.error : `gave up after ${attempts} attempts; last: ${result.error}`;
      await outbox.deadLetter(failed, reason, after);
      counts.deadLettered++;
      log.warn('notification dead-lettered', fields(item, { attempts, reason }));
      return;
    }
    failed.next_attempt_at = after + nextBackoffMs(attempts, retry, random, result.retryAfterMs);
    await outbox.reschedule(failed);
    counts.retried++;
    log.warn('notification delivery failed; will retry', fields(item, {
      attempts,
      error: result.error,
      retry_at: isoTime(failed.next_attempt_at),
    }));
  }

  return {
    start() {
      if (running) return;
      running = true;
      pump();
    },
    poke: pump,
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight.values()]);
      wakeIdle();
    },
    stats: () => ({ ...counts, pending: outbox.pendingCount(), inFlight: inFlight.size }),
    idle() {
      if (!running) return Promise.resolve();
      const settled = new Promise<void>((resolve) => idleWaiters.push(resolve));
      pump();
      return settled;
    },
  };
}

/** Log fields of an item: ids and kinds only (the incident snapshot stays out of logs). */
function fields(item: OutboxItem, extra: Record<string, unknown>): Record<string, unknown> {
  return { id: item.id, channel: item.channel, kind: item.kind, incident_id: item.incident_id, ...extra };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
