// Silence detection: a service that reported regularly and then stops is an outage signal of its own.
//
//   observeServices(names, arrival) / IngestContext.serviceTotals ──▶ per service: last arrival, minutes seen
//   tick(now) ──▶ silent longer than its expectation, with an established cadence, not yet reported this silence?
//              └─▶ SilentService ──▶ engine: a synthetic service_unavailable event that opens or joins a service_down
//                                    incident directly (engine.ts)
//
// Judged on arrival time (the engine's clock), never on telemetry timestamps: replayed or back-filled telemetry
// arrives in a burst, which covers one or two minutes of arrival time, and so never establishes a cadence. A cadence
// is established when telemetry arrived in at least `minActiveMinutes` distinct minutes within the `historySeconds`
// before the service's last arrival (defaults: 10 of the last 30 minutes); one-off telemetry never qualifies. A
// silence is reported once; the service must be heard from again before another silence can be reported. After a
// restart every service has to establish its cadence again (nothing here is persisted), which errs on the quiet side.
//
// Which services: only those named by serviceTotals (services that sent spans) or observeServices (the daemon may
// name the senders of logs and metrics). Event sources are not used: a service_unavailable event's source is the
// peer that could not be reached, not a service that sent telemetry.

import { makeRoom } from './bounded-map.js';

export interface SilenceOptions {
  /** Whether tick() looks for silent services; default true. */
  enabled: boolean;
  /** How long a service with an established cadence may be silent before it is reported, seconds; default 300. */
  expectedIntervalSeconds: number;
  /** Per-service expectations (service name → seconds), overriding the default; default none. */
  expectedIntervalByService: Readonly<Record<string, number>>;
  /** Distinct minutes with telemetry needed for a cadence; default 10. */
  minActiveMinutes: number;
  /** The history in which those minutes must lie (before the last arrival), seconds; default 1800. */
  historySeconds: number;
  /** Services tracked; the least recently heard from is forgotten beyond; default 10,000. */
  maxServices: number;
}

/** No expectation is ever shorter than this: a minute of quiet is normal for batching exporters. */
export const MIN_EXPECTED_INTERVAL_SECONDS = 60;

const MINUTE_MS = 60_000;

export function createDefaultSilenceOptions(): SilenceOptions {
  return {
    enabled: true,
    expectedIntervalSeconds: 300,
    expectedIntervalByService: {},
    minActiveMinutes: 10,
    historySeconds: 1800,
    maxServices: 10_000,
  };
}

export function validateSilenceOptions(options: SilenceOptions, path: string): string[] {
  const errors: string[] = [];
  if (typeof options.enabled !== 'boolean') errors.push(`${path}.enabled: must be true or false (got ${String(options.enabled)})`);
  const expectation = (value: unknown, at: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_EXPECTED_INTERVAL_SECONDS) {
      errors.push(`${at}: must be a number of seconds ≥ ${MIN_EXPECTED_INTERVAL_SECONDS} (got ${String(value)})`);
    }
  };
  expectation(options.expectedIntervalSeconds, `${path}.expectedIntervalSeconds`);
  for (const [service, seconds] of Object.entries(options.expectedIntervalByService ?? {})) {
    expectation(seconds, `${path}.expectedIntervalByService.${service}`);
  }
  const history = options.historySeconds;
  if (typeof history !== 'number' || !Number.isFinite(history) || history < MINUTE_MS / 1000) {
    errors.push(`${path}.historySeconds: must be a number of seconds ≥ 60 (got ${String(history)})`);
  }
  const minutes = options.minActiveMinutes;
  if (!Number.isSafeInteger(minutes) || minutes < 1) {
    errors.push(`${path}.minActiveMinutes: must be a positive integer (got ${String(minutes)})`);
  } else if (typeof history === 'number' && minutes > Math.ceil(history / 60)) {
    errors.push(
      `${path}.minActiveMinutes: ${minutes} can never be met within historySeconds ${history} (${Math.ceil(history / 60)} minutes)`,
    );
  }
  if (!Number.isSafeInteger(options.maxServices) || options.maxServices < 1) {
    errors.push(`${path}.maxServices: must be a positive integer (got ${String(options.maxServices)})`);
  }
  return errors;
}

/** A service found silent by tick(). */
export interface SilentService {
  service: string;
  /** Arrival time (epoch ms) of its last telemetry. */
  lastSeen: number;
  silentForMs: number;
  expectedMs: number;
}

interface Track {
  lastSeen: number;
  /** Ring of minute numbers (epoch ms / 60,000) with telemetry, indexed by minute % length; -1 when empty. */
  minutes: Float64Array;
  /** The minute last written (to skip the ring on every arrival within the same minute). */
  lastMinute: number;
  /** Reported silent since it was last heard from. */
  reported: boolean;
}

export class SilenceDetector {
  private readonly tracks = new Map<string, Track>();
  private readonly historyMinutes: number;

  constructor(private readonly options: SilenceOptions) {
    this.historyMinutes = Math.ceil(options.historySeconds / 60);
  }

  get size(): number {
    return this.tracks.size;
  }

  /** Records that telemetry from `service` arrived at `arrivalMs`. */
  observe(service: string, arrivalMs: number): void {
    if (!this.options.enabled || service === '' || !Number.isFinite(arrivalMs)) return;
    let track = this.tracks.get(service);
    if (track === undefined) {
      makeRoom(this.tracks, this.options.maxServices);
      track = { lastSeen: arrivalMs, minutes: new Float64Array(this.historyMinutes).fill(-1), lastMinute: -1, reported: false };
      this.tracks.set(service, track);
    }
    if (arrivalMs > track.lastSeen) track.lastSeen = arrivalMs;
    track.reported = false;
    const minute = Math.floor(arrivalMs / MINUTE_MS);
    if (minute === track.lastMinute) return;
    track.lastMinute = minute;
    track.minutes[minute % this.historyMinutes] = minute;
    // Map order is least recently heard from first (refreshed once a minute per service, not per batch).
    this.tracks.delete(service);
    this.tracks.set(service, track);
  }

  /** The expectation (ms) for `service`. */
  expectedMs(service: string): number {
    const own = Object.hasOwn(this.options.expectedIntervalByService, service)
      ? this.options.expectedIntervalByService[service]
      : undefined;
    const seconds = Math.max(own ?? this.options.expectedIntervalSeconds, MIN_EXPECTED_INTERVAL_SECONDS);
    return seconds * 1000;
  }

  /** Whether telemetry arrived in enough distinct minutes of the history before its last arrival. */
  established(track: Track): boolean {
    const newest = Math.floor(track.lastSeen / MINUTE_MS);
    const oldest = newest - this.historyMinutes + 1;
    let count = 0;
    for (const minute of track.minutes) if (minute >= oldest && minute <= newest) count++;
    return count >= this.options.minActiveMinutes;
  }

  /** Every service heard from: its last arrival, and whether it is silent now (reported, not heard from since). */
  *services(): IterableIterator<{ service: string; lastSeen: number; silent: boolean }> {
    for (const [service, track] of this.tracks) yield { service, lastSeen: track.lastSeen, silent: track.reported };
  }

  /** Whether `service` was reported silent and has not been heard from since (its outage is not over). */
  isSilent(service: string): boolean {
    return this.tracks.get(service)?.reported === true;
  }

  /** Services silent beyond their expectation, each reported once per silence. */
  check(now: number): SilentService[] {
    const silent: SilentService[] = [];
    if (!this.options.enabled) return silent;
    for (const [service, track] of this.tracks) {
      if (track.reported) continue;
      const silentForMs = now - track.lastSeen;
      const expectedMs = this.expectedMs(service);
      if (!(silentForMs > expectedMs) || !this.established(track)) continue;
      track.reported = true;
      silent.push({ service, lastSeen: track.lastSeen, silentForMs, expectedMs });
    }
    return silent;
  }

  clear(): void {
    this.tracks.clear();
  }
}
