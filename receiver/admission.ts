// Admission control for OTLP exports, shared by the gRPC and HTTP receivers: how much work the daemon takes in at
// once, and the refusal of the rest at the door, before it is decoded. Refusals are retryable (UNAVAILABLE with
// RetryInfo / 503 with Retry-After: https://opentelemetry.io/docs/specs/otlp/#failures), so a client backs off and
// sends again, as it does for the Collector's memory_limiter. Without a bound every export was taken in and
// queued: past the daemon's capacity answers came after the clients' deadlines (and were retried, so counted
// twice) while memory grew with the queue.
//
// What is bounded, from admission until the export is answered:
//   bytes    request bytes held (HTTP: compressed bytes as read, then inflated bytes as produced, each counted as
//            it arrives, not at a worst case)
//   items    spans / log records / data points decoded and waiting to be durable
//   backlog  exports waiting for the store's commit (group-commit.ts), however they got there
//   time     the event loop itself: node does everything on one thread, so past its capacity requests wait unread
//            in socket buffers, where no in-flight count sees them, until their deadlines pass. While the daemon is
//            saturated (the caller's Saturation: event-loop utilisation, the store's lag) the request bytes admitted
//            per second are limited (SaturationLimit below), and the limit adapts until the daemon is no longer
//            saturated: an export past it is refused, which costs far less than taking it in.
// The budgets admit an export whenever nothing else is in flight, so one larger than a budget still gets through
// alone (the saturation limit may still refuse it while a flood lasts).
//
// Fairness, so a flood on a few connections cannot lock out a small exporter (an application's first error burst,
// small exports behind a huge one): a share of each budget (IDLE_PEER_RESERVE) is kept for connections with
// nothing in flight, and the saturation limit applies only to connections sending more than an application does
// (LIGHT_PEER_BYTES a second, decaying over RECENT_WORK_DECAY_MS), and only when all of them together send more
// than about 1 MiB a second (below that, a slow loop is not their doing).

import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { BackpressureError } from './consumer.js';
import { ReceiverOptionError } from './option-checks.js';

/** Share of every budget only connections with nothing in flight may use. */
const IDLE_PEER_RESERVE = 0.25;
/** Time constant of the decay of each connection's recent request bytes. */
const RECENT_WORK_DECAY_MS = 1_000;
/**
 * A connection that sent less than this lately (bytes decaying over RECENT_WORK_DECAY_MS, about bytes per second:
 * an application exporting a couple of thousand spans a second) is never held to the saturation limit.
 */
const LIGHT_PEER_BYTES = 256 * 1024;
/**
 * ...and fewer exports than this lately (about a second's worth): an SDK's batch processor exports every few seconds
 * or every 512 spans (so up to about 2,000 spans a second is light); a Collector or a load generator many times a
 * second. A sender that opens a new connection per export is always light: activity is kept per connection.
 */
const LIGHT_PEER_EXPORTS = 5;
/**
 * The saturation limit engages only when all connections together sent more than this lately: the loop may be slow
 * for reasons of its own (a busy host, a long commit), and applications exporting at an ordinary pace must not lose
 * their data to that.
 */
const FLOOD_MIN_BYTES = 1024 * 1024;
/** A connection whose recent exports have decayed below this is forgotten (swept at most once a decay period). */
const FORGOTTEN_EXPORTS = 0.01;
/** How often the saturation limit adapts (a few of LoopPressure's samples). */
const LIMIT_STEP_MS = 100;
/** Saturated at every step for this long, under a flood, the limit engages: a burst or a GC pause is not a flood. */
const LIMIT_ENGAGE_MS = 250;
/** Factor on the limit at a saturated step (and on the rate admitted lately when it engages). */
const LIMIT_DECREASE = 0.8;
/** Share of the limit added at a calm step. */
const LIMIT_INCREASE = 0.05;
/** The limit never goes below this many bytes a second, so the heavy connections always get a little through. */
const LIMIT_FLOOR_BYTES = 64 * 1024;
/** Calm with nothing refused for this long, the limit lets go: the flood is over. */
const LIMIT_RELEASE_MS = 2_000;
/** Bytes the limit's bucket may save up, as time at its rate. */
const LIMIT_BURST_MS = 100;
/** How often event-loop utilisation is sampled. */
const LOOP_SAMPLE_MS = 50;
/** A sample timer this late means the loop is busy whatever its utilisation says. */
const MAX_LOOP_LAG_MS = 100;
/** Busy samples in a row that make the loop saturated: one GC pause or one long commit is not overload. */
const BUSY_SAMPLES_SATURATED = 2;
const BYTES_PER_MIB = 1024 * 1024;
const MS_PER_SECOND = 1000;

export interface AdmissionLimits {
  /** Request bytes held at once by exports admitted and not yet answered. */
  maxBytesInFlight: number;
  /** Items decoded and not yet answered (acknowledged once durable). */
  maxItemsInFlight: number;
  /** Exports waiting for the store beyond which new ones are refused. */
  maxStoreBacklog: number;
  /** Retry hint sent with every refusal (RetryInfo / Retry-After), ms. */
  retryAfterMs: number;
}

/** Whether the daemon is saturated right now (LoopPressure.saturated, or a stand-in in tests). */
export type Saturation = () => boolean;

/** The configuration's form (`receivers.otlp.admission`), as written in otel-config.yaml. */
export interface AdmissionConfig {
  max_in_flight_mib: number;
  max_in_flight_items: number;
  max_store_backlog: number;
  max_events_per_export: number;
  max_event_loop_utilization: number;
  retry_after_seconds: number;
}

export const DEFAULT_ADMISSION_CONFIG: Readonly<AdmissionConfig> = {
  max_in_flight_mib: 64,
  max_in_flight_items: 50_000,
  max_store_backlog: 256,
  max_events_per_export: 10_000,
  max_event_loop_utilization: 0.9,
  retry_after_seconds: 1,
};

export function admissionLimitsOf(config: AdmissionConfig): AdmissionLimits {
  return {
    maxBytesInFlight: Math.floor(config.max_in_flight_mib * BYTES_PER_MIB),
    maxItemsInFlight: config.max_in_flight_items,
    maxStoreBacklog: config.max_store_backlog,
    retryAfterMs: config.retry_after_seconds * MS_PER_SECOND,
  };
}

export interface AdmissionStats {
  exportsInFlight: number;
  bytesInFlight: number;
  itemsInFlight: number;
}

/** Where the daemon's store queue depth comes from (GroupCommitter.backlog); none in receivers on their own. */
export type StoreBacklog = () => number;

export class ExportAdmission {
  private exports = 0;
  private bytes = 0;
  private items = 0;
  /** Exports in flight per connection; a connection leaves the map when it has none. */
  private readonly perPeer = new Map<string, number>();
  /** What each connection did lately (see PeerActivity); swept as they go quiet. */
  private readonly recent = new Map<string, PeerActivity>();
  /** Request bytes admitted lately over all connections, decaying. */
  private readonly recentAdmitted = new RecentWork();
  /** The request bytes of exports answered lately (however), decaying: what the daemon gets through. */
  private readonly recentAnswered = new RecentWork();
  /** Exports answered lately, and exports offered lately (admitted or refused): how much is being asked. */
  private readonly recentAnsweredExports = new RecentWork();
  private readonly recentOfferedExports = new RecentWork();
  private readonly limit = new SaturationLimit();
  private lastSweep = 0;
  /** One error per reason, made once: under overload most exports are refused, and an Error with its stack is not free. */
  private readonly refusals = new Map<string, BackpressureError>();

  constructor(
    readonly limits: AdmissionLimits,
    private readonly storeBacklog: StoreBacklog = () => 0,
    private readonly saturated: Saturation = () => false,
    /** Milliseconds, monotonic (performance.now; a stand-in in tests). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    checkLimits(limits, 'admission');
  }

  /**
   * A ticket for an export of `bytes` from `peer` (a connection's address), or the refusal to answer with. The ticket
   * must be released once the export is answered, whatever the answer.
   */
  admit(peer: string, bytes: number): AdmissionTicket | BackpressureError {
    const idlePeer = !this.perPeer.has(peer);
    const now = this.clock();
    const activity = this.activityOf(peer, now);
    activity.exports.add(1, now);
    this.recentOfferedExports.add(1, now);
    const refused = this.refusalOf(peer, bytes, now, activity);
    if (refused !== null) return refused;
    this.exports++;
    this.bytes += bytes;
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
    activity.bytes.add(bytes, now);
    this.recentAdmitted.add(bytes, now);
    return new AdmissionTicket(this, peer, bytes, idlePeer);
  }

  /**
   * The refusal `admit` would give an export from `peer` of any size, or null; takes nothing. For a receiver that sees
   * a request's head before its body (gRPC over HTTP/2): an export that would be refused anyway is answered at once
   * and its body never read, as HTTP answers at its headers. Under overload most exports are refused, and reading
   * each body first kept the connection's later requests waiting behind it for seconds.
   */
  refusalAtHead(peer: string): BackpressureError | null {
    const now = this.clock();
    const activity = this.activityOf(peer, now);
    const refused = this.refusalOf(peer, 0, now, activity);
    // An export let through is counted by admit().
    if (refused !== null) {
      activity.exports.add(1, now);
      this.recentOfferedExports.add(1, now);
    }
    return refused;
  }

  private refusalOf(peer: string, bytes: number, now: number, activity: PeerActivity): BackpressureError | null {
    if (this.exports > 0) {
      const share = this.perPeer.has(peer) ? 1 - IDLE_PEER_RESERVE : 1;
      if (this.storeBacklog() >= this.limits.maxStoreBacklog * share) return this.refusal('the store is writing behind');
      if (this.bytes + bytes > this.limits.maxBytesInFlight * share) return this.refusal('too many request bytes in flight');
      if (this.items >= this.limits.maxItemsInFlight * share) return this.refusal('too many items in flight');
    }
    // Read only when the limit steps (every LIMIT_STEP_MS), not for every export.
    if (this.limit.due(now)) {
      this.limit.adapt(now, this.saturated(), this.recentAdmitted.at(now), this.recentAnswered.at(now), this.offeredBytesPerSecond(now));
    }
    if (this.limit.engaged && !activity.isLight(now) && !this.limit.take(bytes, now)) return this.refusal('saturated');
    return null;
  }

  /**
   * Request bytes a second asked of the daemon lately, admitted or refused: the exports offered at the size of those
   * answered (a refusal at the request head never learns its export's size).
   */
  private offeredBytesPerSecond(now: number): number {
    const answeredExports = this.recentAnsweredExports.at(now);
    if (answeredExports < 1) return this.recentAdmitted.at(now);
    return (this.recentOfferedExports.at(now) * this.recentAnswered.at(now)) / answeredExports;
  }

  /** `peer`'s activity, created on first sight; connections gone quiet are swept at most once a decay period. */
  private activityOf(peer: string, now: number): PeerActivity {
    if (now - this.lastSweep >= RECENT_WORK_DECAY_MS) {
      this.lastSweep = now;
      for (const [key, value] of this.recent) if (value.isForgotten(now)) this.recent.delete(key);
    }
    let activity = this.recent.get(peer);
    if (activity === undefined) {
      activity = new PeerActivity();
      this.recent.set(peer, activity);
    }
    return activity;
  }

  stats(): AdmissionStats {
    return { exportsInFlight: this.exports, bytesInFlight: this.bytes, itemsInFlight: this.items };
  }

  /** @internal AdmissionTicket.holdBytes */
  tryHoldBytes(ticket: AdmissionTicket, more: number): boolean {
    if (this.exports > 1 && this.bytes + more > this.limits.maxBytesInFlight * shareOf(ticket)) return false;
    this.bytes += more;
    return true;
  }

  /**
   * @internal AdmissionTicket.holdRequestBytes: bytes of a request whose length was not known at admission (HTTP
   * without Content-Length, as the OpenTelemetry JS SDK sends): counted as admitted request bytes as they arrive, so
   * the saturation limit and the sender's activity see them as they would a declared length.
   */
  tryHoldRequestBytes(ticket: AdmissionTicket, peer: string, more: number): boolean {
    if (!this.tryHoldBytes(ticket, more)) return false;
    const now = this.clock();
    this.recent.get(peer)?.bytes.add(more, now);
    this.recentAdmitted.add(more, now);
    this.limit.charge(more, now);
    return true;
  }

  /** @internal AdmissionTicket.room */
  roomFor(ticket: AdmissionTicket): number {
    if (this.exports <= 1) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.limits.maxBytesInFlight * shareOf(ticket) - this.bytes);
  }

  /** @internal AdmissionTicket.holdItems */
  tryHoldItems(ticket: AdmissionTicket, items: number): boolean {
    if (this.exports > 1 && this.items + items > this.limits.maxItemsInFlight * shareOf(ticket)) return false;
    this.items += items;
    return true;
  }

  /** @internal AdmissionTicket.release */
  giveBack(peer: string, bytes: number, items: number, requestBytes: number): void {
    const now = this.clock();
    this.recentAnswered.add(requestBytes, now);
    this.recentAnsweredExports.add(1, now);
    this.exports--;
    this.bytes -= bytes;
    this.items -= items;
    const left = (this.perPeer.get(peer) ?? 1) - 1;
    if (left > 0) this.perPeer.set(peer, left);
    else this.perPeer.delete(peer);
  }

  /** The (shared, never mutated) refusal for `reason`; reasons are a handful of fixed strings. */
  refusal(reason: string): BackpressureError {
    let error = this.refusals.get(reason);
    if (error === undefined) {
      error = new BackpressureError(`firewatch is over capacity (${reason}); retry later`, this.limits.retryAfterMs);
      this.refusals.set(reason, error);
    }
    return error;
  }
}

function shareOf(ticket: AdmissionTicket): number {
  return ticket.fromIdlePeer ? 1 : 1 - IDLE_PEER_RESERVE;
}

/** What one admitted export holds; released once it is answered. */
export class AdmissionTicket {
  private bytes: number;
  /** The request's bytes (what the saturation limit counts): as admitted, plus a body of unknown length as it came. */
  private requestBytes: number;
  private items = 0;
  private released = false;

  constructor(
    private readonly admission: ExportAdmission,
    private readonly peer: string,
    bytes: number,
    /** The connection had nothing in flight when this export came: it may use the reserved share. */
    readonly fromIdlePeer: boolean,
  ) {
    this.bytes = bytes;
    this.requestBytes = bytes;
  }

  /** Holds `more` bytes (e.g. inflated body as it is produced); false when that would pass the budget. */
  holdBytes(more: number): boolean {
    if (this.released || !this.admission.tryHoldBytes(this, more)) return false;
    this.bytes += more;
    return true;
  }

  /** As holdBytes, for the request's own body when its length was not known at admission (see tryHoldRequestBytes). */
  holdRequestBytes(more: number): boolean {
    if (this.released || !this.admission.tryHoldRequestBytes(this, this.peer, more)) return false;
    this.bytes += more;
    this.requestBytes += more;
    return true;
  }

  /** Bytes this export could still hold now (Infinity when it is the only one in flight). */
  room(): number {
    return this.released ? 0 : this.admission.roomFor(this);
  }

  /** Holds `items` decoded items until release; false when that would pass the budget. */
  holdItems(items: number): boolean {
    if (this.released || !this.admission.tryHoldItems(this, items)) return false;
    this.items += items;
    return true;
  }

  /** Returns what the export held. Safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.admission.giveBack(this.peer, this.bytes, this.items, this.requestBytes);
  }
}

function checkLimits(limits: AdmissionLimits, path: string): void {
  const positive = (value: number, name: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ReceiverOptionError(`${path}.${name}`, `must be a number > 0, got ${String(value)}`);
    }
  };
  positive(limits.maxBytesInFlight, 'maxBytesInFlight');
  positive(limits.maxItemsInFlight, 'maxItemsInFlight');
  positive(limits.maxStoreBacklog, 'maxStoreBacklog');
  if (typeof limits.retryAfterMs !== 'number' || !Number.isFinite(limits.retryAfterMs) || limits.retryAfterMs < 0) {
    throw new ReceiverOptionError(`${path}.retryAfterMs`, `must be a number ≥ 0, got ${String(limits.retryAfterMs)}`);
  }
}

/**
 * How busy the event loop is, sampled every LOOP_SAMPLE_MS: a sample is busy when its utilisation (the share of time
 * the loop ran rather than waited for I/O) was above `maxUtilization`, or its timer fired more than MAX_LOOP_LAG_MS
 * late (the loop ran long stretches, or the process was not given the CPU: requests then wait unread just the
 * same); `saturated()` after BUSY_SAMPLES_SATURATED busy samples in a row. The timer is unref'd.
 */
export class LoopPressure {
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private lastAt = performance.now();
  private busySamples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly maxUtilization: number) {
    this.timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      const at = performance.now();
      const lag = at - this.lastAt - LOOP_SAMPLE_MS;
      const busy = lag > MAX_LOOP_LAG_MS || performance.eventLoopUtilization(now, this.last).utilization > this.maxUtilization;
      this.busySamples = busy ? this.busySamples + 1 : 0;
      this.last = now;
      this.lastAt = at;
    }, LOOP_SAMPLE_MS);
    this.timer.unref();
  }

  readonly saturated = (): boolean => this.busySamples >= BUSY_SAMPLES_SATURATED;

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * The request bytes a second admitted from connections that are not light, while the daemon is saturated: an
 * additive-increase/multiplicative-decrease controller (as TCP's congestion window) driven by Saturation, evaluated
 * at most every LIMIT_STEP_MS when exports arrive. It engages once the daemon has been saturated for LIMIT_ENGAGE_MS
 * under a flood, starting below the rate of exports answered lately (what the daemon gets through); every saturated
 * step lowers it, every calm one raises it; it lets go after LIMIT_RELEASE_MS calm with nothing refused, so it stays
 * engaged for as long as the flood lasts. Without it, refusing only while saturated let the flood back in at every
 * calm sample, the loop saturated again, and exports admitted in between waited on it for seconds. It also lets go as
 * soon as less than a flood is asked of the daemon (FLOOD_MIN_BYTES a second, refused exports included), saturated or
 * not. The budget is a token bucket that may go into debt (a second's worth at most), so an export larger than a
 * step's worth still gets through.
 */
class SaturationLimit {
  /** Bytes a second; Infinity while not engaged. */
  private bytesPerSecond = Number.POSITIVE_INFINITY;
  private tokens = 0;
  private lastStep = 0;
  private lastFill = 0;
  /** When the limit last refused, or was lowered (performance.now()). */
  private lastPressure = 0;
  /** Since when the daemon has been saturated at every step, while the limit is not engaged. */
  private saturatedSince: number | undefined;

  get engaged(): boolean {
    return this.bytesPerSecond !== Number.POSITIVE_INFINITY;
  }

  /** Whether a step is due at `now` (then adapt). */
  due(now: number): boolean {
    return now - this.lastStep >= LIMIT_STEP_MS;
  }

  /** `admitted`, `answered`, `offered`: request bytes a second admitted, answered and asked for (refused too) lately. */
  adapt(now: number, saturated: boolean, admitted: number, answered: number, offered: number): void {
    this.lastStep = now;
    if (this.engaged && offered < FLOOD_MIN_BYTES) {
      // The flood is over, whatever the loop says: a busy host or a slow disk is not the senders' doing.
      this.bytesPerSecond = Number.POSITIVE_INFINITY;
      this.saturatedSince = undefined;
      return;
    }
    if (!saturated) this.saturatedSince = undefined;
    else if (!this.engaged) {
      this.saturatedSince ??= now;
      if (now - this.saturatedSince < LIMIT_ENGAGE_MS) return;
    }
    if (saturated) {
      this.lastPressure = now;
      if (this.engaged) this.bytesPerSecond = Math.max(LIMIT_FLOOR_BYTES, this.bytesPerSecond * LIMIT_DECREASE);
      else if (admitted >= FLOOD_MIN_BYTES) {
        // From what the daemon got through, not what it took in: under a flood it takes in far more.
        this.bytesPerSecond = Math.max(LIMIT_FLOOR_BYTES, Math.min(admitted, answered) * LIMIT_DECREASE);
        this.tokens = 0;
        this.lastFill = now;
      }
      return;
    }
    if (!this.engaged) return;
    if (now - this.lastPressure >= LIMIT_RELEASE_MS) this.bytesPerSecond = Number.POSITIVE_INFINITY;
    else this.bytesPerSecond += Math.max(LIMIT_FLOOR_BYTES, this.bytesPerSecond * LIMIT_INCREASE);
  }

  /** Takes `bytes` from the bucket (engaged only); false (a refusal, counted as pressure) when it is empty. */
  take(bytes: number, now: number): boolean {
    this.refill(now);
    if (this.tokens <= 0) {
      this.lastPressure = now;
      return false;
    }
    this.debit(bytes);
    return true;
  }

  /**
   * Takes `bytes` that are coming in anyway (an admitted export's body as it arrives). The bucket may go into debt,
   * by one second's worth at the most: one huge export must not shut everyone else out for a minute.
   */
  charge(bytes: number, now: number): void {
    if (!this.engaged) return;
    this.refill(now);
    this.debit(bytes);
  }

  /** What the limit earned since the last fill, up to a burst's worth. */
  private refill(now: number): void {
    const burst = this.bytesPerSecond * (LIMIT_BURST_MS / MS_PER_SECOND);
    this.tokens = Math.min(burst, this.tokens + (this.bytesPerSecond * (now - this.lastFill)) / MS_PER_SECOND);
    this.lastFill = now;
  }

  private debit(bytes: number): void {
    this.tokens = Math.max(-this.bytesPerSecond, this.tokens - bytes);
  }
}

/**
 * What one connection did lately, decaying over RECENT_WORK_DECAY_MS (so about a second's worth): the request bytes
 * admitted from it, and the exports it offered, admitted or refused. Refusals count, or a flooding connection refused
 * for a while would look quiet and be let through as if it were an application's.
 */
class PeerActivity {
  readonly bytes = new RecentWork();
  readonly exports = new RecentWork();

  /** Sending no more than an application exporting at an ordinary pace does. */
  isLight(now: number): boolean {
    return this.exports.at(now) < LIGHT_PEER_EXPORTS && this.bytes.at(now) < LIGHT_PEER_BYTES;
  }

  isForgotten(now: number): boolean {
    return this.exports.at(now) < FORGOTTEN_EXPORTS;
  }
}

/** An amount that decays exponentially with time (time constant RECENT_WORK_DECAY_MS). */
class RecentWork {
  private value = 0;
  private since = 0;

  at(now: number): number {
    return this.value * Math.exp((this.since - now) / RECENT_WORK_DECAY_MS);
  }

  add(amount: number, now: number): void {
    this.value = this.at(now) + amount;
    this.since = now;
  }
}
