import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceIdPacker } from './trace-id-packer.js';

/** What packing means, the obvious way: every ID hex-decoded, or undefined when one is not 32 hex characters. */
function reference(ids: readonly string[]): Buffer | undefined {
  if (ids.some((id) => !/^[0-9a-fA-F]{32}$/.test(id))) return undefined;
  return Buffer.from(ids.join(''), 'hex');
}

const traceId = fc.oneof(
  { weight: 20, arbitrary: fc.stringMatching(/^[0-9a-f]{32}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, // not a trace ID: the incident keeps its text form
);

/** One write of an incident: its list grows (as the engine's does), stays, or is something else entirely. */
const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('grow' as const), ids: fc.array(traceId, { maxLength: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('same' as const), ids: fc.constant([] as string[]) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), ids: fc.array(traceId, { maxLength: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shrink' as const), ids: fc.constant([] as string[]) }) },
);

describe('TraceIdPacker', () => {
  it('packs every write as hex-decoding the whole list would, and never changes a buffer it handed out', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ incident: fc.integer({ min: 0, max: 2 }), step }), { maxLength: 40 }), (writes) => {
        const packer = new TraceIdPacker();
        const lists = [[], [], []] as string[][];
        const handedOut: { view: Buffer; copy: Buffer }[] = [];
        for (const { incident, step: s } of writes) {
          let ids = lists[incident]!;
          if (s.kind === 'grow') ids = [...ids, ...s.ids];
          else if (s.kind === 'replace') ids = s.ids;
          else if (s.kind === 'shrink') ids = ids.slice(0, ids.length >> 1);
          lists[incident] = ids;
          const packed = packer.pack(`inc_${incident}`, ids);
          const expected = reference(ids);
          if (expected === undefined) {
            expect(packed).toBeUndefined();
          } else {
            expect(packed).toBeDefined();
            expect(Buffer.compare(packed!, expected)).toBe(0);
            handedOut.push({ view: packed!, copy: Buffer.from(packed!) });
          }
        }
        for (const { view, copy } of handedOut) expect(Buffer.compare(view, copy)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('remembers a bounded number of incidents, none after their last write, and never displaces one for a closed one', () => {
    const packer = new TraceIdPacker();
    const id = 'a'.repeat(32);
    for (let i = 0; i < 1000; i++) packer.pack(`inc_${i}`, [id]);
    expect(packer.size).toBe(64);
    expect(packer.packLast('inc_999', [id, id])).toEqual(reference([id, id]));
    expect(packer.size).toBe(63);
    // An incident closing that was not remembered leaves every open one remembered.
    expect(packer.packLast('closed_1', [id])).toEqual(reference([id]));
    expect(packer.packLast('closed_2', ['not a trace id'])).toBeUndefined();
    expect(packer.size).toBe(63);
    packer.pack('inc_1000', [id]);
    expect(packer.size).toBe(64);
    expect(packer.packLast('closed_3', [id])).toEqual(reference([id]));
    expect(packer.size).toBe(64);
  });
});
