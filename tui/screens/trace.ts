// A trace as a waterfall: one row per span in tree order, indented by depth, its length as a bar scaled to the whole
// trace, failing spans marked (✗ / x, and a different bar) so nothing relies on colour, the incident's root-cause
// span singled out (◆ / !). Below, the selected span: its fields, its attributes, and the incident events it
// produced.
//
// Virtualised: the waterfall (view/waterfall.ts) is built once per trace and collapse set, O(spans), and only the
// rows in the window become lines, so a 5,000-span trace costs what its 20 visible rows cost.

import type { IncidentJson } from '../../api/incident.js';
import type { TraceJson } from '../../api/trace.js';
import { formatClock, formatSpanDuration, plural } from '../../view/format.js';
import { timelineEventLine } from '../../view/incident-text.js';
import { buildWaterfall, renderBar, spanMarker, spanProblem, type Waterfall, type WaterfallRow } from '../../view/waterfall.js';
import { line, restyle, textLine, type Line } from '../lines.js';
import type { Resource } from '../resources.js';
import { traceKey } from '../screen-resources.js';
import { windowOf, type View } from '../ui-state.js';
import { fieldLines, heading, note, pane, rule, type ScreenInput, type ScreenOutput } from './common.js';

type TraceView = Extract<View, { screen: 'trace' }>;

const DURATION_WIDTH = 8;
/** Deeper spans are drawn at this depth: the names stay readable on 80 columns. */
const MAX_INDENT_DEPTH = 12;
/** Attribute keys get up to this many cells in the span detail (a third of the width on narrow screens). */
const MAX_ATTRIBUTE_KEY_WIDTH = 32;

/** The last waterfall built, reused while only the cursor moves (building one is O(spans)). */
let lastBuilt: { trace: TraceJson; collapsed: ReadonlySet<string>; rootSpanId: string | undefined; waterfall: Waterfall } | undefined;

export function waterfallOf(trace: TraceJson, collapsed: ReadonlySet<string>, rootSpanId: string | undefined): Waterfall {
  if (lastBuilt && lastBuilt.trace === trace && lastBuilt.collapsed === collapsed && lastBuilt.rootSpanId === rootSpanId) return lastBuilt.waterfall;
  const waterfall = buildWaterfall(trace, { collapsed, ...(rootSpanId !== undefined ? { rootSpanId } : {}) });
  lastBuilt = { trace, collapsed, rootSpanId, waterfall };
  return waterfall;
}

/** Span ids of the rows shown, once per waterfall (a 5,000-span trace would map them on every key). */
const ROW_KEYS = new WeakMap<Waterfall, string[]>();
function rowKeysOf(waterfall: Waterfall): string[] {
  let keys = ROW_KEYS.get(waterfall);
  if (keys === undefined) {
    keys = waterfall.rows.map((row) => row.span.span_id);
    ROW_KEYS.set(waterfall, keys);
  }
  return keys;
}

function rootSpanOf(input: ScreenInput, view: TraceView, traceId: string): string | undefined {
  if (view.target === null) return undefined;
  const incident: IncidentJson | undefined = input.incidents.entries.get(view.target.key)?.incident;
  const root = incident?.root_cause.root_span;
  return root && root.trace_id === traceId ? root.span_id : undefined;
}

export function buildTrace(input: ScreenInput, view: TraceView): ScreenOutput {
  const { theme, width } = input;
  const traceId = view.traceIds[view.traceIndex] ?? '';
  const member = view.target?.member ?? 0;
  const resource = input.resources.get<TraceJson>(traceKey(member, traceId));
  const position = view.traceIds.length > 1 ? `trace ${view.traceIndex + 1} of ${view.traceIds.length} (] next, [ previous)` : '';
  const owner = view.target ? view.target.display : '';
  const lines: Line[] = [];
  const trace = resource?.value;
  if (trace === undefined) {
    lines.push(heading(input, traceId, [owner, position].filter(Boolean).join(' · ')));
    lines.push(loadingNote(input, resource));
    return { lines, rows: [], pageSize: 1, paneLines: 0 };
  }
  const waterfall = waterfallOf(trace, view.collapsed, rootSpanOf(input, view, traceId));
  lines.push(
    line(width, theme)
      .add(trace.trace_id, theme.heading)
      .add(
        `  ${plural(waterfall.spanCount, 'span')}, ${plural(trace.services.length, 'service')}, ${waterfall.failedCount} failing, ` +
          `${formatSpanDuration(waterfall.durationMs)}${owner ? ` · ${owner}` : ''}${position ? ` · ${position}` : ''}`,
        theme.dim,
      )
      .done(),
  );
  if (resource?.status === 'error') lines.push(textLine(width, theme, `could not refresh: ${resource.error}`, theme.error));
  if (waterfall.rows.length === 0) {
    lines.push(note(input, 'No spans kept for this trace: it left the in-memory ring before it was part of an incident.'));
    return { lines, rows: [], pageSize: 1, paneLines: 0 };
  }

  // The waterfall takes up to about 60 % of the height; the selected span's detail the rest, and the rows a short
  // trace leaves unused (its fields, attributes and events are longer than the few spans).
  const available = Math.max(4, input.height - lines.length);
  const rowsHeight = Math.max(1, Math.min(waterfall.rows.length, available - Math.max(3, Math.floor(available * 0.4)) - 1)); // minus the column header
  const detailHeight = available - rowsHeight - 1;
  const keys = rowKeysOf(waterfall);
  const labelWidth = Math.max(16, Math.floor((width - 2 - DURATION_WIDTH - 2) * 0.5));
  const barWidth = Math.max(8, width - 2 - labelWidth - 1 - DURATION_WIDTH - 1);
  lines.push(
    line(width, theme)
      .add('  ')
      .cell('Span', labelWidth, theme.dim)
      .add(' ')
      .cell('Duration', DURATION_WIDTH, theme.dim, 'right')
      .add(' ')
      .add(`0 ${theme.glyphs.horizontal.repeat(Math.max(0, barWidth - 4 - formatSpanDuration(waterfall.durationMs).length))} ${formatSpanDuration(waterfall.durationMs)}`, theme.dim)
      .done(),
  );
  const focused = input.ui.prompt === null && view.pane === 'spans';
  const { top, end, selected } = windowOf(view.cursor, keys, rowsHeight);
  for (let index = top; index < end; index++) {
    lines.push(spanLine(input, waterfall.rows[index]!, index === selected, focused, labelWidth, barWidth));
  }
  for (let filler = end - top; filler < rowsHeight; filler++) lines.push(line(width, theme).done());

  const chosen = waterfall.rows[Math.max(0, selected)]!;
  const title = `${chosen.span.service} ${chosen.span.name}`;
  lines.push(rule(input, width, view.pane === 'detail' ? `${title} (Tab: back to the spans)` : `${title} (Tab: scroll this)`));
  const detail = spanDetail(input, trace, chosen);
  lines.push(...pane(input, detail, view.detailScroll, detailHeight - 1));
  return { lines, rows: keys, pageSize: view.pane === 'detail' ? detailHeight - 1 : rowsHeight, paneLines: detail.length };
}

function loadingNote(input: ScreenInput, resource: Resource<TraceJson> | undefined): Line {
  if (resource?.status === 'error') return textLine(input.width, input.theme, `could not load the trace: ${resource.error}`, input.theme.error);
  return note(input, 'loading the trace…');
}

function spanLine(input: ScreenInput, row: WaterfallRow, isSelected: boolean, focused: boolean, labelWidth: number, barWidth: number): Line {
  const { theme } = input;
  const { glyphs } = theme;
  const span = row.span;
  const depth = Math.min(row.depth, MAX_INDENT_DEPTH);
  const fold = row.hasChildren ? (row.collapsed ? glyphs.collapsed : glyphs.expanded) : ' ';
  const marker = spanMarker(span, theme.ascii);
  const hidden = row.collapsed ? ` (+${row.hiddenCount})` : '';
  const labelText = `${' '.repeat(depth)}${fold}${marker} ${span.service} ${span.name}${hidden}`;
  const mark = isSelected && focused ? `${glyphs.selected}` : row.isRootCause ? glyphs.rootCause : ' ';
  const built = line(input.width, theme)
    .add(`${mark} `, row.isRootCause ? theme.rootCause : theme.bold)
    .cell(labelText, labelWidth, span.failed ? theme.failed : theme.plain)
    .add(' ')
    .cell(formatSpanDuration(span.duration_ms), DURATION_WIDTH, theme.plain, 'right')
    .add(' ')
    .add(theme.text(renderBar(row, barWidth, theme.ascii)), span.failed ? theme.failed : theme.plain)
    .fill()
    .done();
  return isSelected && focused ? restyle(built, theme.selected) : built;
}

function spanDetail(input: ScreenInput, trace: TraceJson, row: WaterfallRow): Line[] {
  const span = row.span;
  const fields = [
    { label: 'service', value: span.service },
    { label: 'name', value: span.name },
    { label: 'kind', value: span.kind },
    { label: 'status', value: `${span.status}${span.failed ? ' (failed)' : ''}${span.status_message ? `: ${span.status_message}` : ''}`, style: span.failed ? input.theme.failed : undefined },
    { label: 'started', value: `${span.start ?? '-'} (${formatClock(span.start)})` },
    { label: 'duration', value: formatSpanDuration(span.duration_ms) },
  ];
  if (row.isRootCause) fields.push({ label: 'root cause', value: 'this span is where the incident started', style: input.theme.rootCause });
  if (span.http_status) fields.push({ label: 'http status', value: String(span.http_status) });
  if (span.peer) fields.push({ label: 'peer', value: span.peer });
  if (span.exception_type || span.exception_message) fields.push({ label: 'exception', value: [span.exception_type, span.exception_message].filter(Boolean).join(': ') });
  const problem = spanProblem(span);
  if (problem && !span.exception_type) fields.push({ label: 'problem', value: problem });
  fields.push({ label: 'span id', value: `${span.span_id}${span.parent_span_id ? ` (parent ${span.parent_span_id})` : ' (root)'}` });
  const out = fieldLines(input, fields);
  out.push(heading(input, `Attributes (${span.attributes.length})`, span.attributes_dropped > 0 ? `${span.attributes_dropped} more not kept` : ''));
  if (span.attributes.length === 0) out.push(note(input, '  none kept'));
  // Keys are dotted and long (http.response.status_code): they get more room than the fields' labels.
  const keyWidth = Math.min(MAX_ATTRIBUTE_KEY_WIDTH, Math.floor(input.width / 3));
  out.push(...fieldLines(input, span.attributes.map((attribute) => ({ label: `  ${attribute.key}`, value: attribute.value })), input.width, keyWidth));
  const events = trace.events.filter((event) => event.span_id === span.span_id);
  out.push(heading(input, `Events and logs of this span (${events.length})`));
  if (events.length === 0) out.push(note(input, '  none'));
  for (const event of events) out.push(textLine(input.width, input.theme, `  ${timelineEventLine(event)}`, input.theme.severity(event.severity)));
  return out;
}
