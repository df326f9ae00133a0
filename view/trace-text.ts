// `firewatch trace`'s text: the trace as a tree, one line per span (indented by depth, a marker that does not rely on
// colour, service, name, length, and what went wrong), then its incident events.

import type { TraceJson } from '../api/trace.js';
import { formatClock, formatSpanDuration, plural } from './format.js';
import { timelineEventLine } from './incident-text.js';
import { cleanLine, fitWidth } from './text.js';
import { spanMarker, spanProblem } from './waterfall.js';

/** Deeper spans are drawn at this depth: the tree stays readable on a narrow terminal. */
const MAX_DRAWN_DEPTH = 20;

export function renderTrace(trace: TraceJson, width: number): string {
  const incidents = trace.incident_ids;
  const lines = [
    `Trace ${cleanLine(trace.trace_id)} — ${plural(trace.spans.length, 'span')}, ${plural(trace.services.length, 'service')}, ` +
      `${plural(trace.events.length, 'event')}${incidents.length > 0 ? ` (incident ${incidents.map(cleanLine).join(', ')})` : ''}`,
  ];
  if (trace.spans.length === 0) lines.push('  (no spans kept for this trace: it was not part of an incident and has left the in-memory ring)');
  for (const span of trace.spans) {
    const depth = Math.min(span.depth, MAX_DRAWN_DEPTH);
    const problem = spanProblem(span);
    const text =
      `${'  '.repeat(depth)}${depth > 0 ? '└─ ' : ''}${spanMarker(span)} ${cleanLine(span.service)}  ${cleanLine(span.name)}  ` +
      `${formatSpanDuration(span.duration_ms)}${problem ? `  ${cleanLine(problem)}` : ''}`;
    lines.push(`  ${formatClock(span.start)} ${fitWidth(text, Math.max(20, width - 13))}`);
  }
  if (trace.events.length > 0) {
    lines.push('', 'Events:');
    lines.push(...trace.events.map((event) => `  ${timelineEventLine(event)}`));
  }
  return lines.join('\n');
}
