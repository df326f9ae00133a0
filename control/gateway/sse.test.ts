// Server-sent event frames and the resume ids pages hand back: what the browser would read from a frame, and that any
// id a page (or anyone) sends back parses to bounded resume points without throwing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RESUME_POINTS, formatEventId, formatSseFrame, parseEventId } from './sse.js';

/** The fields a browser reads from one frame (HTML "Interpreting an event stream", reduced to one event). */
function readFrame(frame: string): { event: string; id: string | undefined; data: string; retry: string | undefined } {
  expect(frame.endsWith('\n\n')).toBe(true);
  let event = 'message';
  let id: string | undefined;
  let retry: string | undefined;
  const data: string[] = [];
  for (const line of frame.slice(0, -2).split(/\r\n|\r|\n/)) {
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'retry') retry = value;
    else if (field === 'data') data.push(value);
    else expect.unreachable(`unexpected field ${JSON.stringify(field)}`);
  }
  return { event, id, data: data.join('\n'), retry };
}

describe('formatSseFrame', () => {
  it('writes event, id, retry and data fields, one data line per line', () => {
    const frame = formatSseFrame({ event: 'change', id: 'a1b2:7', data: '{"x":1}\nsecond\r\nthird', retry: 1000 });
    expect(frame).toBe('retry: 1000\nevent: change\nid: a1b2:7\ndata: {"x":1}\ndata: second\ndata: third\n\n');
    expect(readFrame(frame)).toEqual({ event: 'change', id: 'a1b2:7', data: '{"x":1}\nsecond\nthird', retry: '1000' });
  });

  it('lets no line break in an event name or id start a field of its own', () => {
    const frame = formatSseFrame({ event: 'change\ndata: forged', id: 'x\r\nevent: evil\0', data: 'ok' });
    expect(readFrame(frame)).toEqual({ event: 'changedata: forged', id: 'xevent: evil', data: 'ok', retry: undefined });
  });

  it('carries any data back as it was, line breaks normalised', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (data) => {
        expect(readFrame(formatSseFrame({ event: 'change', data })).data).toBe(data.replace(/\r\n|\r/g, '\n'));
      }),
    );
  });
});

describe('event ids', () => {
  it('carry every daemon’s seq and come back as they went', () => {
    const points = [
      { daemon_id: '3f9c1a7e5b2d', seq: 41 },
      { daemon_id: 'a:b,c%', seq: 0 },
    ];
    const id = formatEventId(points);
    expect(id).toBe('3f9c1a7e5b2d:41,a%3Ab%2Cc%25:0');
    expect(parseEventId(id)).toEqual(points);
    // A lone surrogate has no URI form: that daemon is left out (it resumes by snapshot), the others stay.
    expect(parseEventId(formatEventId([{ daemon_id: 'bad\ud800', seq: 3 }, ...points]))).toEqual(points);
  });

  it('round-trip any daemon ids and seqs', () => {
    const anyUnit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\ud83d', '\ude00', ':', ','));
    const point = fc.record({ daemon_id: fc.string({ unit: anyUnit, minLength: 1, maxLength: 40 }), seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }) });
    fc.assert(
      fc.property(fc.uniqueArray(point, { maxLength: MAX_RESUME_POINTS, selector: (p) => p.daemon_id }), (points) => {
        const decoded = parseEventId(formatEventId(points));
        // Lone surrogates cannot survive encodeURIComponent: such an id is dropped, never misread.
        expect(decoded).toEqual(points.filter((p) => decoded.some((d) => d.daemon_id === p.daemon_id)));
        expect(decoded.length).toBe(points.filter((p) => !/[\ud800-\udfff]/.test(p.daemon_id.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))).length);
      }),
    );
  });

  it('read anything a page sends back without throwing, bounded, damaged parts left out', () => {
    expect(parseEventId(undefined)).toEqual([]);
    expect(parseEventId('')).toEqual([]);
    expect(parseEventId('abc:1,garbage,def:x,:3,abc:9,%E0%A4%A:2,ghi:12345678901234567')).toEqual([{ daemon_id: 'abc', seq: 1 }]);
    expect(parseEventId(Array.from({ length: 100 }, (_, i) => `d${i}:${i}`).join(','))).toHaveLength(MAX_RESUME_POINTS);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => {
        const points = parseEventId(text);
        expect(points.length).toBeLessThanOrEqual(MAX_RESUME_POINTS);
        for (const point of points) expect(Number.isSafeInteger(point.seq)).toBe(true);
      }),
    );
  });
});
