// Numbers and times as people read them on a screen: `5m ago`, `2h 5m`, `10:25:15Z`, `850µs`, `42.5%`.
// Pure functions of their input (and of `now`, passed in), so every front end shows the same words.

export function parseIsoMs(iso: unknown): number | undefined {
  if (typeof iso !== 'string' || iso === '') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `45s`, `12m`, `2h 5m`, `3d`; `-` for a negative or unknown length. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
}

/**
 * Time left until a moment, as a countdown reads: `45s`, then to the nearest minute, so a 2 h silence shows `2h`
 * the moment it starts whether the screen's clock runs a little ahead (`1h 59m` when floored) or behind (a front
 * end's clock ticks, so it may predate the silence: `2h 1m` when rounded up).
 */
export function formatRemaining(seconds: number): string {
  return seconds < 60 ? formatDuration(Math.ceil(seconds)) : formatDuration(Math.round(seconds / 60) * 60);
}

/** `5m ago`, `just now`; `-` when unknown. */
export function formatAgo(iso: unknown, nowMs: number): string {
  const ms = parseIsoMs(iso);
  if (ms === undefined) return '-';
  const seconds = (nowMs - ms) / 1000;
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** Seconds from `iso` to now (0 when in the future); null when unknown. */
export function secondsSince(iso: unknown, nowMs: number): number | null {
  const ms = parseIsoMs(iso);
  return ms === undefined ? null : Math.max(0, (nowMs - ms) / 1000);
}

/** `10:25:15Z` (UTC, so every viewer of a shared incident reads the same clock). */
export function formatClock(iso: unknown): string {
  const ms = parseIsoMs(iso);
  if (ms === undefined) return '--:--:--';
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

/** A span's length: `850µs`, `12ms`, `1.25s`. */
export function formatSpanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  return formatDuration(ms / 1000);
}

/** 0–1 → `42.5%`; `-` when unknown. */
export function formatRatio(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '-';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Enum values are lowercase in JSON and uppercase on screens (DESIGN.md). */
export function label(value: string): string {
  return value.toUpperCase();
}

/** `1 incident`, `3 incidents`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
