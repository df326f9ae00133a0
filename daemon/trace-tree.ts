// Orders a trace's spans as a tree for display: each span followed by its children, siblings by start time.
// Spans whose parent is unknown (not received, evicted, or in another process) are shown as roots: a partial
// trace must still be readable. Cycles (a malformed or hostile trace) cannot loop: each span is placed once.

export interface TreeSpanInput {
  span_id: string;
  parent_span_id: string;
  start_ms: number;
}

export interface PlacedSpan<T> {
  span: T;
  depth: number;
}

/** Deepest nesting shown; deeper spans are attached at this depth (a hostile trace cannot blow the stack). */
const MAX_DEPTH = 64;

export function orderTraceTree<T extends TreeSpanInput>(spans: readonly T[]): PlacedSpan<T>[] {
  const byId = new Map<string, T>();
  for (const span of spans) if (!byId.has(span.span_id)) byId.set(span.span_id, span);
  const unique = [...byId.values()];
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const span of unique) {
    const parent = span.parent_span_id;
    if (parent !== '' && parent !== span.span_id && byId.has(parent)) {
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a: T, b: T) => a.start_ms - b.start_ms || (a.span_id < b.span_id ? -1 : 1);
  const placed: PlacedSpan<T>[] = [];
  const seen = new Set<string>();
  // Iterative depth-first walk: explicit stack, children pushed in reverse so the earliest comes out first.
  const visit = (root: T) => {
    const stack: PlacedSpan<T>[] = [{ span: root, depth: 0 }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (seen.has(item.span.span_id)) continue;
      seen.add(item.span.span_id);
      placed.push(item);
      const kids = (children.get(item.span.span_id) ?? []).slice().sort(byStart);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: Math.min(item.depth + 1, MAX_DEPTH) });
    }
  };
  for (const root of roots.sort(byStart)) visit(root);
  // Spans only reachable through a cycle were never visited: show them as roots.
  for (const span of unique.filter((s) => !seen.has(s.span_id)).sort(byStart)) visit(span);
  return placed;
}
