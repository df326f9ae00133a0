// Server-sent events as the web gateway writes them (HTML Living Standard, "Server-sent events", §9.2.6 "Interpreting an
// event stream"), and the event id a page hands back to resume.
//
// The event id is every daemon's sequence number the page has seen, `<daemon_id>:<seq>` joined by commas. A browser
// keeps only the last id it received and sends it back as `Last-Event-ID` when it reconnects; with several daemons
// behind one gateway a single number could not say where the page stands with each of them, so the id carries the
// whole vector and each daemon resumes on its own.

export type SseFrame = {
  /** The event type (`change`, `members`); absent: `message`. */
  event?: string;
  /** The page's resume point after this event; absent: the page keeps the one it had. */
  id?: string;
  data: string;
  /** How long the browser waits before reconnecting, ms. */
  retry?: number;
};

/** One event, ready to write. Line breaks in `data` become several `data:` lines, which the browser joins back. */
export function formatSseFrame(frame: SseFrame): string {
  let text = '';
  if (frame.retry !== undefined) text += `retry: ${Math.max(0, Math.floor(frame.retry))}\n`;
  // A field value ends at a line break: one in an event name or id would start a field of the attacker's choosing.
  if (frame.event !== undefined) text += `event: ${frame.event.replace(/[\r\n]/g, '')}\n`;
  // An id holding NUL is ignored by the browser (the spec's rule): drop it rather than lose the resume point.
  if (frame.id !== undefined) text += `id: ${frame.id.replace(/[\r\n\0]/g, '')}\n`;
  for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line: keeps proxies and the browser from timing the stream out; the page sees nothing. */
export const SSE_KEEPALIVE = ': keep-alive\n\n';

/** Where a page stands with one daemon: the last update of that daemon it has applied. */
export type ResumePoint = { daemon_id: string; seq: number };

/** Most daemons an id names (a fleet client merges at most 64). */
export const MAX_RESUME_POINTS = 64;
/** Longest id accepted back: 64 points of a 64-character daemon id and a 16-digit seq fit. */
const MAX_EVENT_ID_LENGTH = 64 * (64 * 3 + 18);

export function formatEventId(points: Iterable<ResumePoint>): string {
  const parts: string[] = [];
  for (const point of points) {
    try {
      parts.push(`${encodeURIComponent(point.daemon_id)}:${point.seq}`);
    } catch {
      // A daemon id with a lone surrogate has no URI form: that daemon resumes by snapshot rather than fail the stream.
    }
  }
  return parts.join(',');
}

/**
 * The resume points of an id a page sent back (`Last-Event-ID`, or `?last_event_id=`); what does not parse is left
 * out, so a damaged id costs a snapshot, never an error. Never more than MAX_RESUME_POINTS.
 */
export function parseEventId(text: string | null | undefined): ResumePoint[] {
  if (typeof text !== 'string' || text === '' || text.length > MAX_EVENT_ID_LENGTH) return [];
  const points: ResumePoint[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    if (points.length >= MAX_RESUME_POINTS) break;
    const match = /^([^:]{1,200}):(\d{1,16})$/.exec(part);
    if (match === null) continue;
    let daemonId: string;
    try {
      daemonId = decodeURIComponent(match[1]!);
    } catch {
      continue;
    }
    const seq = Number(match[2]);
    if (!Number.isSafeInteger(seq) || daemonId === '' || seen.has(daemonId)) continue;
    seen.add(daemonId);
    points.push({ daemon_id: daemonId, seq });
  }
  return points;
}
