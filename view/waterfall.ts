// A trace as a waterfall: one row per span in tree order (the daemon sends them so, with their depth), each with its
// offset and length as fractions of the whole trace, so a front end draws a bar of any width. Collapsing a span hides
// its descendants. Built once per trace (and per collapse), O(spans); a screen draws only the rows it shows
// (visibleRows), so a 5,000-span trace costs what its visible window costs.

import type { SpanJson, TraceJson } from '../api/trace.js';
import { parseIsoMs } from './format.js';

export type WaterfallRow = {
  /** Index in trace.spans. */
  index: number;
  span: SpanJson;
  depth: number;
  /** 0–1: where the span starts within the trace. */
  offset: number;
  /** 0–1: how much of the trace it covers (at least a sliver, so instant spans stay visible). */
  width: number;
  hasChildren: boolean;
  collapsed: boolean;
  /** Spans hidden under it while collapsed. */
  hiddenCount: number;
  /** The incident's root-cause span. */
  isRootCause: boolean;
};

export type Waterfall = {
  trace_id: string;
  /** Epoch ms of the earliest span start. */
  startMs: number;
  /** Trace length in ms (earliest start to latest end). */
  durationMs: number;
  /** Rows shown (collapsed subtrees left out). */
  rows: WaterfallRow[];
  spanCount: number;
  failedCount: number;
};

const MIN_WIDTH = 0.002;

export function buildWaterfall(trace: TraceJson, options: { collapsed?: ReadonlySet<string>; rootSpanId?: string } = {}): Waterfall {
  const spans = trace.spans;
  const collapsed = options.collapsed ?? new Set<string>();
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const starts = new Float64Array(spans.length);
  let failed = 0;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const s = parseIsoMs(span.start) ?? 0;
    starts[i] = s;
    if (s < start) start = s;
    const e = s + Math.max(0, span.duration_ms);
    if (e > end) end = e;
    if (span.failed) failed++;
  }
  if (spans.length === 0) {
    start = 0;
    end = 0;
  }
  const total = Math.max(end - start, 0.001);
  // Subtree sizes from depths: the spans after i with a greater depth, up to the next one at i's depth or less.
  const subtree = new Int32Array(spans.length);
  const stack: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    const depth = spans[i]!.depth;
    while (stack.length > 0 && spans[stack[stack.length - 1]!]!.depth >= depth) {
      const closed = stack.pop()!;
      subtree[closed] = i - closed - 1;
    }
    stack.push(i);
  }
  while (stack.length > 0) {
    const closed = stack.pop()!;
    subtree[closed] = spans.length - closed - 1;
  }
  const rows: WaterfallRow[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const isCollapsed = collapsed.has(span.span_id) && subtree[i]! > 0;
    rows.push({
      index: i,
      span,
      depth: span.depth,
      offset: Math.min(1, Math.max(0, (starts[i]! - start) / total)),
      width: Math.max(MIN_WIDTH, Math.min(1, span.duration_ms / total)),
      hasChildren: subtree[i]! > 0,
      collapsed: isCollapsed,
      hiddenCount: isCollapsed ? subtree[i]! : 0,
      isRootCause: options.rootSpanId !== undefined && span.span_id === options.rootSpanId,
    });
    if (isCollapsed) i += subtree[i]!;
  }
  return { trace_id: trace.trace_id, startMs: start, durationMs: spans.length === 0 ? 0 : end - start, rows, spanCount: spans.length, failedCount: failed };
}

/** The rows a window of `height` rows shows with `selected` kept in view; `top` is where the window was. */
export function visibleWindow(count: number, selected: number, top: number, height: number): { top: number; end: number } {
  if (height <= 0 || count === 0) return { top: 0, end: 0 };
  let first = Math.min(Math.max(0, top), Math.max(0, count - height));
  if (selected < first) first = selected;
  if (selected >= first + height) first = selected - height + 1;
  first = Math.max(0, Math.min(first, Math.max(0, count - height)));
  return { top: first, end: Math.min(count, first + height) };
}

/**
 * A bar of `cells` cells for a row: spaces before the span, then the span. Unicode draws eighth blocks at the edges
 * for sub-cell precision; ASCII draws `=` (`#` for a failing span: the mark does not rely on colour).
 */
export function renderBar(row: Pick<WaterfallRow, 'offset' | 'width' | 'span'>, cells: number, ascii = false): string {
  if (cells <= 0) return '';
  const startCell = row.offset * cells;
  const endCell = Math.min(cells, Math.max(startCell + 0.5, (row.offset + row.width) * cells));
  if (ascii) {
    const from = Math.min(cells - 1, Math.floor(startCell));
    const to = Math.max(from + 1, Math.round(endCell));
    const mark = row.span.failed ? '#' : '=';
    return ' '.repeat(from) + mark.repeat(to - from) + ' '.repeat(cells - to);
  }
  const from = Math.min(cells - 1, Math.floor(startCell));
  const to = Math.max(from + 1, Math.ceil(endCell));
  const glyph = row.span.failed ? '▓' : '█';
  return ' '.repeat(from) + glyph.repeat(to - from) + ' '.repeat(cells - to);
}

/** `✗` failing, `✓` ok, `·` unset (ASCII: `x`, `+`, `.`): marks that do not rely on colour. */
export function spanMarker(span: Pick<SpanJson, 'failed' | 'status'>, ascii = false): string {
  if (span.failed) return ascii ? 'x' : '✗';
  if (span.status === 'ok') return ascii ? '+' : '✓';
  return ascii ? '.' : '·';
}

/** What went wrong with a failing span in one line (`HTTP 503: ECONNREFUSED`), '' for a healthy one. */
export function spanProblem(span: SpanJson): string {
  if (!span.failed) return '';
  return [span.http_status ? `HTTP ${span.http_status}` : '', span.exception_type, span.status_message || span.exception_message]
    .filter((part) => part !== '')
    .join(': ');
}
