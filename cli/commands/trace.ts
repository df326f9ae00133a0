// `firewatch trace TRACE_ID`: every span and event of one trace, as a tree — the drill-down from an incident.

import type { JsonObject } from '../../control/messages.js';
import { UsageError, type CommandSpec } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { FORMAT_FLAG, formatOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { sanitizeLine, truncate } from '../render/terminal-text.js';
import { terminalWidth } from '../render/table.js';
import { formatClock } from '../render/time.js';
import { renderTimelineLine } from './incidents.js';

export const trace: CommandSpec = {
  path: ['trace'],
  summary: 'Show every span and event of one trace, as a tree.',
  positionals: [{ name: 'trace_id', required: true, description: 'the trace ID (32 hex characters), e.g. from `incidents get`' }],
  flags: [FORMAT_FLAG],
  examples: ['firewatch trace 0af7651916cd43dd8448eb211c80319c', 'firewatch trace 0af7651916cd43dd8448eb211c80319c --format json'],
  async run(args) {
    const traceId = args.positionals[0]!.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw new UsageError(`TRACE_ID must be 32 hex characters, got ${JSON.stringify(args.positionals[0])}`, trace);
    const result = await withClient(args, (client) => client.getTrace(traceId));
    const format = formatOf(args);
    if (format === 'json') printJson(result);
    else if (format === 'csv') {
      print(
        renderCsv(
          ['span_id', 'parent_span_id', 'depth', 'service', 'name', 'kind', 'start', 'duration_ms', 'status', 'status_message', 'exception_type'],
          (result.spans as JsonObject[]).map((s) => [s.span_id, s.parent_span_id, s.depth, s.service, s.name, s.kind, s.start, s.duration_ms, s.status, s.status_message, s.exception_type]),
        ),
      );
    } else print(renderTrace(result, terminalWidth()));
    return 0;
  },
};

export function renderTrace(result: JsonObject, width: number): string {
  const spans = result.spans as JsonObject[];
  const events = result.events as JsonObject[];
  const incidents = result.incident_ids as string[];
  const lines = [
    `Trace ${sanitizeLine(result.trace_id)} — ${spans.length} span${spans.length === 1 ? '' : 's'}, ` +
      `${(result.services as string[]).length} service${(result.services as string[]).length === 1 ? '' : 's'}, ` +
      `${events.length} event${events.length === 1 ? '' : 's'}${incidents.length > 0 ? ` (incident ${incidents.map(sanitizeLine).join(', ')})` : ''}`,
  ];
  if (spans.length === 0) lines.push('  (no spans kept for this trace: it was not part of an incident and has left the in-memory ring)');
  for (const span of spans) {
    const depth = Math.min(Number(span.depth ?? 0), 20);
    const marker = span.failed ? '✗' : span.status === 'ok' ? '✓' : '·';
    const status = span.failed ? `  ${[span.http_status ? `HTTP ${span.http_status}` : '', span.exception_type, span.status_message].filter(Boolean).map(sanitizeLine).join(': ')}` : '';
    const text = `${'  '.repeat(depth)}${depth > 0 ? '└─ ' : ''}${marker} ${sanitizeLine(span.service)}  ${sanitizeLine(span.name)}  ${formatMs(Number(span.duration_ms))}${status}`;
    lines.push(`  ${formatClock(span.start)} ${truncate(text, Math.max(20, width - 13))}`);
  }
  if (events.length > 0) {
    lines.push('', 'Events:');
    lines.push(...events.map(renderTimelineLine));
  }
  return lines.join('\n');
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
