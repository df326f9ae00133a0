// Human times for tables: "5m ago", "2h 5m", "10:25:15Z".


export function parseIsoMs(iso: unknown): number | undefined {
  if (typeof iso !== 'string' || iso === '') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
}

export function formatAgo(iso: unknown, nowMs = Date.now()): string {
  const ms = parseIsoMs(iso);
  if (ms === undefined) return '-';
  const seconds = (nowMs - ms) / 1000;
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** `10:25:15Z` for today-ish timelines; the date is shown by the caller when it matters. */
export function formatClock(iso: unknown): string {
  const ms = parseIsoMs(iso);
  if (ms === undefined) return '--:--:--';
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

