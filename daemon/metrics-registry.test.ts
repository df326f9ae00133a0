import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMetricsRegistry,
  DEFAULT_MAX_LABEL_SETS,
  escapeHelp,
  escapeLabelValue,
  formatSampleValue,
  LABEL_OVERFLOW_METRIC,
} from './metrics-registry.js';
import { parsePrometheusText } from './prometheus-text.js';

/** The rendered lines of one family (HELP, TYPE, samples), without the registry's own overflow family. */
function linesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}`) || line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `));
}

describe('number formatting', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [1.5, '1.5'],
    [2 ** 53, '9007199254740992'],
    [1e21, '1000000000000000000000'],
    [-1.5e22, '-15000000000000000000000'],
    [1e-7, '1e-7'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ])('%s → %s', (value, text) => {
    expect(formatSampleValue(value)).toBe(text);
  });

  it('round-trips any double through the parser', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        // prepare
        const registry = createMetricsRegistry();
        registry.gauge({ name: 'g', help: 'h' }).set(value);
        // act
        const parsed = parsePrometheusText(registry.render()).get('g')!.samples[0]!.value;
        // verify: -0 prints as 0, everything else comes back exactly
        expect(Object.is(parsed, value === 0 ? 0 : value)).toBe(true);
      }),
    );
  });
});

describe('escaping', () => {
  it('escapes backslash, double quote and line feed in label values, nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd\te\'f')).toBe('a\\\\b\\"c\\nd\te\'f');
  });

  it('escapes backslash and line feed in HELP, not quotes', () => {
    expect(escapeHelp('say "hi"\\\nbye')).toBe('say "hi"\\\\\\nbye');
  });

  it('replaces lone surrogates, which UTF-8 cannot carry, with U+FFFD', () => {
    expect(escapeLabelValue('a\uD800b\uDC00c\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc\uD83D\uDE00');
  });

  it('renders escaped label values and HELP in place', () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'line one\nline "two" \\ end', labelNames: ['path'] });
    counter.labels('C:\\dir\n"x"').inc();
    expect(linesOf(registry.render(), 'c_total')).toEqual([
      '# HELP c_total line one\\nline "two" \\\\ end',
      '# TYPE c_total counter',
      'c_total{path="C:\\\\dir\\n\\"x\\""} 1',
    ]);
  });
});

describe('counter and gauge', () => {
  it('renders HELP, TYPE and the value, starting at 0 when unlabelled', () => {
    // prepare
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'requests_total', help: 'Requests.' });
    const gauge = registry.gauge({ name: 'queue_depth', help: 'Depth.' });
    const before = registry.render();
    // act
    counter.inc();
    counter.inc(2.5);
    gauge.set(10);
    gauge.dec(3);
    gauge.inc();
    // verify
    expect(linesOf(before, 'requests_total')).toEqual(['# HELP requests_total Requests.', '# TYPE requests_total counter', 'requests_total 0']);
    expect(linesOf(registry.render(), 'requests_total')).toContain('requests_total 3.5');
    expect(linesOf(registry.render(), 'queue_depth')).toEqual(['# HELP queue_depth Depth.', '# TYPE queue_depth gauge', 'queue_depth 8']);
    expect(counter.get()).toBe(3.5);
    expect(gauge.get()).toBe(8);
  });

  it.each([-1, NaN, Infinity])('refuses a counter increment of %s', (by) => {
    const counter = createMetricsRegistry().counter({ name: 'c_total', help: 'h' });
    expect(() => counter.inc(by)).toThrow(RangeError);
    expect(counter.get()).toBe(0);
  });

  it('keeps one child per label set, in first-use order, and renders none before first use', () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'items_total', help: 'Items.', labelNames: ['signal', 'kind'] });
    expect(linesOf(registry.render(), 'items_total')).toHaveLength(2);
    const traces = counter.labels('traces', 'a');
    traces.inc(5);
    counter.labels('logs', 'a').inc();
    expect(counter.labels('traces', 'a')).toBe(traces);
    expect(linesOf(registry.render(), 'items_total').slice(2)).toEqual([
      'items_total{signal="traces",kind="a"} 5',
      'items_total{signal="logs",kind="a"} 1',
    ]);
  });

  it('does not confuse label sets whose joined values are equal', () => {
    const registry = createMetricsRegistry();
    const gauge = registry.gauge({ name: 'g', help: 'h', labelNames: ['a', 'b'] });
    gauge.labels('x\u0000', 'y').set(1);
    gauge.labels('x', '\u0000y').set(2);
    gauge.labels('1:a', '').set(3);
    gauge.labels('', '1:a').set(4);
    expect(parsePrometheusText(registry.render()).get('g')!.samples.map((sample) => sample.value)).toEqual([1, 2, 3, 4]);
  });

  it('gives values that print alike (lone surrogates) one series, so no series is printed twice', () => {
    const registry = createMetricsRegistry();
    const gauge = registry.gauge({ name: 'g', help: 'h', labelNames: ['a'] });
    const solo = registry.gauge({ name: 's', help: 'h', labelNames: ['a', 'b'] });
    expect(gauge.labels('x\uD800')).toBe(gauge.labels('x\uDC00'));
    expect(solo.labels('\uD800', 'y')).toBe(solo.labels('\uDFFF', 'y'));
    expect(parsePrometheusText(registry.render()).get('g')!.samples).toEqual([{ name: 'g', labels: { a: 'x\uFFFD' }, value: 0 }]);
  });

  it('refuses the wrong number of label values, and updates through the root of a labelled family', () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'h', labelNames: ['a'] as string[] });
    expect(() => counter.labels()).toThrow(/expected 1 label value/);
    expect(() => counter.labels('x', 'y')).toThrow(/expected 1 label value/);
    expect(() => counter.inc()).toThrow(/has labels/);
  });
});

describe('histogram', () => {
  it('renders cumulative buckets ending in +Inf, then _sum and _count', () => {
    // prepare
    const registry = createMetricsRegistry();
    const histogram = registry.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1, 5] });
    // act: bounds are inclusive (le), NaN is ignored
    for (const value of [0.05, 0.1, 0.7, 3, 8, NaN]) histogram.observe(value);
    // verify
    expect(linesOf(registry.render(), 'latency_seconds')).toEqual([
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{le="0.1"} 2',
      'latency_seconds_bucket{le="1"} 3',
      'latency_seconds_bucket{le="5"} 4',
      'latency_seconds_bucket{le="+Inf"} 5',
      'latency_seconds_sum 11.85',
      'latency_seconds_count 5',
    ]);
    expect(histogram.count()).toBe(5);
    expect(histogram.sum()).toBeCloseTo(11.85);
  });

  it('puts le after the family labels, and a trailing Infinity bound is the implied +Inf bucket', () => {
    const registry = createMetricsRegistry();
    const histogram = registry.histogram({ name: 'h', help: 'h', labelNames: ['route'], buckets: [1, Infinity] });
    histogram.labels('/a').observe(2);
    expect(histogram.buckets).toEqual([1]);
    expect(linesOf(registry.render(), 'h_').slice(0)).toEqual([
      'h_bucket{route="/a",le="1"} 0',
      'h_bucket{route="/a",le="+Inf"} 1',
      'h_sum{route="/a"} 2',
      'h_count{route="/a"} 1',
    ]);
  });

  it('renders valid histograms for the parser after many observations', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 200 }), (values) => {
        const registry = createMetricsRegistry();
        const histogram = registry.histogram({ name: 'h', help: 'h', buckets: [-1, 0, 0.5, 2] });
        for (const value of values) histogram.observe(value);
        const family = parsePrometheusText(registry.render()).get('h')!;
        expect(family.type).toBe('histogram');
        expect(family.samples.find((sample) => sample.labels.le === '+Inf')!.value).toBe(values.length);
      }),
    );
  });

  it.each([
    ['no bounds', []],
    ['unsorted bounds', [1, 0.5]],
    ['a repeated bound', [1, 1]],
    ['NaN', [NaN]],
    ['-Infinity', [-Infinity, 1]],
  ])('refuses %s', (_name, buckets) => {
    expect(() => createMetricsRegistry().histogram({ name: 'h', help: 'h', buckets })).toThrow(RangeError);
  });
});

describe('names', () => {
  it.each(['', '1abc', 'a-b', 'a b', 'é'])('refuses the metric name %j', (name) => {
    expect(() => createMetricsRegistry().counter({ name, help: 'h' })).toThrow(/invalid metric name/);
  });

  it.each([['__reserved'], ['1a'], ['a-b'], ['']])('refuses the label name %j', (label) => {
    expect(() => createMetricsRegistry().gauge({ name: 'g', help: 'h', labelNames: [label] })).toThrow(/invalid label name/);
  });

  it('refuses a label given twice and le on a histogram', () => {
    const registry = createMetricsRegistry();
    expect(() => registry.gauge({ name: 'g', help: 'h', labelNames: ['a', 'a'] })).toThrow(/twice/);
    expect(() => registry.histogram({ name: 'h', help: 'h', labelNames: ['le'], buckets: [1] })).toThrow(/bucket label/);
  });

  it('refuses a family whose samples would collide with another one', () => {
    const registry = createMetricsRegistry();
    registry.histogram({ name: 'h', help: 'h', buckets: [1] });
    expect(() => registry.gauge({ name: 'h', help: 'h' })).toThrow(/already registered/);
    expect(() => registry.counter({ name: 'h_count', help: 'h' })).toThrow(/already registered/);
    expect(() => registry.collector({ name: 'h_bucket', help: 'h', type: 'gauge', collect: () => {} })).toThrow(/already registered/);
    expect(() => registry.counter({ name: LABEL_OVERFLOW_METRIC, help: 'h' })).toThrow(/already registered/);
    registry.gauge({ name: 'x', help: 'h' });
    expect(() => registry.histogram({ name: 'x', help: 'h', buckets: [1] })).toThrow(/already registered/);
  });
});

describe('label set bound', () => {
  it('defaults to 1000 label sets per family', () => {
    const registry = createMetricsRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'h', labelNames: ['id'] });
    for (let i = 0; i < DEFAULT_MAX_LABEL_SETS + 5; i++) counter.labels(String(i)).inc();
    const families = parsePrometheusText(registry.render());
    expect(families.get('c_total')!.samples).toHaveLength(DEFAULT_MAX_LABEL_SETS);
    expect(families.get(LABEL_OVERFLOW_METRIC)!.samples).toEqual([{ name: LABEL_OVERFLOW_METRIC, labels: { family: 'c_total' }, value: 5 }]);
  });

  it('answers a detached child past the bound, keeps serving known label sets, and counts refusals per family', () => {
    // prepare
    const registry = createMetricsRegistry({ maxLabelSets: 2 });
    const counter = registry.counter({ name: 'c_total', help: 'h', labelNames: ['id'] });
    const histogram = registry.histogram({ name: 'h', help: 'h', labelNames: ['id'], buckets: [1], maxLabelSets: 1 });
    const a = counter.labels('a');
    counter.labels('b').inc();
    // act
    const refused = counter.labels('c');
    refused.inc(100);
    counter.labels('d').inc();
    a.inc(3);
    histogram.labels('x').observe(0.5);
    histogram.labels('y').observe(0.5);
    // verify
    expect(refused.get()).toBe(0);
    const families = parsePrometheusText(registry.render());
    expect(families.get('c_total')!.samples.map((sample) => [sample.labels.id, sample.value])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(families.get('h')!.samples.filter((sample) => sample.name === 'h_count')).toHaveLength(1);
    expect(families.get(LABEL_OVERFLOW_METRIC)!.samples.map((sample) => [sample.labels.family, sample.value])).toEqual([
      ['c_total', 2],
      ['h', 1],
    ]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createMetricsRegistry({ maxLabelSets: 0 })).toThrow(RangeError);
    expect(() => createMetricsRegistry().gauge({ name: 'g', help: 'h', maxLabelSets: 1.5 })).toThrow(RangeError);
  });
});

describe('collector families', () => {
  it('reads values at scrape time', () => {
    let size = 1;
    const registry = createMetricsRegistry();
    registry.collector({ name: 'ring_size', help: 'Ring size.', type: 'gauge', collect: (emit) => emit(size) });
    expect(linesOf(registry.render(), 'ring_size')).toEqual(['# HELP ring_size Ring size.', '# TYPE ring_size gauge', 'ring_size 1']);
    size = 7;
    expect(linesOf(registry.render(), 'ring_size')).toContain('ring_size 7');
  });

  it('keeps the first of a repeated label set and bounds label sets, counting the overflow', () => {
    const registry = createMetricsRegistry();
    registry.collector({
      name: 'by_state',
      help: 'h',
      type: 'gauge',
      labelNames: ['state'],
      maxLabelSets: 2,
      collect: (emit) => {
        emit(1, ['a']);
        emit(2, ['a']);
        emit(3, ['b']);
        emit(4, ['c']);
      },
    });
    const families = parsePrometheusText(registry.render());
    expect(families.get('by_state')!.samples.map((sample) => [sample.labels.state, sample.value])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(families.get(LABEL_OVERFLOW_METRIC)!.samples[0]!.value).toBe(1);
  });

  it('lets a failing callback fail the scrape, and refuses the wrong number of label values', () => {
    const failing = createMetricsRegistry();
    failing.collector({ name: 'x', help: 'h', type: 'counter', collect: () => { throw new Error('store closed'); } });
    expect(() => failing.render()).toThrow('store closed');
    const wrong = createMetricsRegistry();
    wrong.collector({ name: 'y', help: 'h', type: 'gauge', labelNames: ['a'], collect: (emit) => emit(1) });
    expect(() => wrong.render()).toThrow(/expected 1 label value/);
  });
});

describe('render → parse', () => {
  it('always renders the overflow family last and ends with a line feed', () => {
    const registry = createMetricsRegistry();
    registry.gauge({ name: 'g', help: 'h' });
    const text = registry.render();
    expect(text.endsWith('\n')).toBe(true);
    expect([...parsePrometheusText(text).keys()]).toEqual(['g', LABEL_OVERFLOW_METRIC]);
  });

  it('round-trips any label values and HELP text', () => {
    // Any code point, lone surrogates included (they come back as U+FFFD, as they would through UTF-8), with the
    // characters that need escaping made frequent. (fast-check's `unit: 'binary'` costs ~1 s to set up.)
    const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code));
    const anyString = fc.string({ unit: fc.oneof(fc.constantFrom('\\', '"', '\n', '\t', ' ', '\uD800', '\uDC00'), anyCodePoint) });
    fc.assert(
      fc.property(fc.array(fc.tuple(anyString, anyString), { minLength: 1, maxLength: 8 }), anyString, (pairs, help) => {
        // prepare
        const registry = createMetricsRegistry();
        const counter = registry.counter({ name: 'c_total', help, labelNames: ['a', 'b'] });
        const expected = new Map<string, { a: string; b: string }>();
        pairs.forEach(([a, b], index) => {
          counter.labels(a, b).inc(index + 1);
          const key = JSON.stringify([wellFormed(a), wellFormed(b)]);
          if (!expected.has(key)) expected.set(key, { a: wellFormed(a), b: wellFormed(b) });
        });
        // act
        const family = parsePrometheusText(registry.render()).get('c_total')!;
        // verify: label values exactly; HELP up to the blanks the format trims at its ends
        expect(family.samples.map((sample) => sample.labels)).toEqual([...expected.values()]);
        expect(family.help).toBe(wellFormed(help).replace(/^[ \t]+|[ \t]+$/g, ''));
      }),
    );
  });
});

function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
