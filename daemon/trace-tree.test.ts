import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderTraceTree } from './trace-tree.js';

const span = (span_id: string, parent_span_id: string, start_ms: number) => ({ span_id, parent_span_id, start_ms });

describe('orderTraceTree', () => {
  it('puts children after their parent, siblings by start, orphans as roots', () => {
    const placed = orderTraceTree([
      span('c2', 'a', 30),
      span('a', '', 0),
      span('c1', 'a', 10),
      span('g', 'c1', 12),
      span('orphan', 'missing', 5),
    ]);
    expect(placed.map((p) => `${p.span.span_id}@${p.depth}`)).toEqual(['a@0', 'c1@1', 'g@2', 'c2@1', 'orphan@0']);
  });

  it('places every span exactly once, whatever the parent links (cycles, self-parents, duplicates)', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ span_id: fc.constantFrom(...ids), parent_span_id: fc.constantFrom('', ...ids), start_ms: fc.integer({ min: 0, max: 100 }) }), { maxLength: 30 }),
        (spans) => {
          const placed = orderTraceTree(spans);
          const unique = new Set(spans.map((s) => s.span_id));
          expect(placed.map((p) => p.span.span_id).sort()).toEqual([...unique].sort());
        },
      ),
    );
  });
});
