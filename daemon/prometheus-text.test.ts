import { describe, expect, it } from 'vitest';
import { parsePrometheusText, PrometheusTextError } from './prometheus-text.js';

// Adapted from the example in https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-example
const SPEC_EXAMPLE = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;

describe('parsePrometheusText', () => {
  it('parses the example of the format documentation', () => {
    const families = parsePrometheusText(SPEC_EXAMPLE);
    expect([...families.keys()]).toEqual([
      'http_requests_total',
      'msdos_file_access_time_seconds',
      'metric_without_timestamp_and_labels',
      'something_weird',
      'http_request_duration_seconds',
      'rpc_duration_seconds',
    ]);
    expect(families.get('http_requests_total')).toEqual({
      type: 'counter',
      help: 'The total number of HTTP requests.',
      samples: [
        { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
        { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
      ],
    });
    expect(families.get('msdos_file_access_time_seconds')!.samples[0]).toEqual({
      name: 'msdos_file_access_time_seconds',
      labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' },
      value: 1.458255915e9,
    });
    expect(families.get('metric_without_timestamp_and_labels')).toMatchObject({ type: 'untyped', help: undefined });
    expect(families.get('something_weird')!.samples[0]).toMatchObject({ value: Infinity, timestampMs: -3982045 });
    expect(families.get('http_request_duration_seconds')!.samples).toHaveLength(8);
    expect(families.get('rpc_duration_seconds')!.samples.at(-2)!.value).toBe(1.7560473e7);
  });

  it('accepts blanks around tokens, a trailing comma, HELP with escapes, Inf/NaN values and empty input', () => {
    const text = [
      '  # HELP a_total  first\\\\second\\nthird "quoted"  ',
      '#\tTYPE a_total counter',
      'a_total { x = "1" , y="2", } \t 5',
      'b{x="1"}NaN',
      'c -Inf',
      '',
    ].join('\n');
    const families = parsePrometheusText(text);
    expect(families.get('a_total')).toEqual({
      type: 'counter',
      help: 'first\\second\nthird "quoted"',
      samples: [{ name: 'a_total', labels: { x: '1', y: '2' }, value: 5 }],
    });
    expect(families.get('b')!.samples[0]!.value).toBeNaN();
    expect(families.get('c')!.samples[0]!.value).toBe(-Infinity);
    expect(parsePrometheusText('').size).toBe(0);
  });

  const HISTOGRAM_HEAD = '# TYPE h histogram\n';
  it.each([
    ['no final line feed', 'a 1', /end with a line feed/],
    ['an invalid metric name', '1a 1\n', /must start with a metric name/],
    ['a name running into its value', 'a-b 1\n', /blank after the metric name/],
    ['no value', 'a\n', /no value/],
    ['an invalid value', 'a 1x\n', /invalid value/],
    ['a value in words', 'a infinity\n', /invalid value/],
    ['an invalid timestamp', 'a 1 1.5\n', /invalid timestamp/],
    ['something after the timestamp', 'a 1 2 3\n', /after the timestamp/],
    ['an unterminated label value', 'a{x="1} 1\n', /unterminated/],
    ['an unknown escape in a label value', 'a{x="\\t"} 1\n', /invalid escape/],
    ['a label without quotes', 'a{x=1} 1\n', /expected "/],
    ['a label without =', 'a{x"1"} 1\n', /expected =/],
    ['labels without a comma', 'a{x="1" y="2"} 1\n', /expected , or }/],
    ['an invalid label name', 'a{1x="1"} 1\n', /label name/],
    ['a reserved label name', 'a{__name__="x"} 1\n', /reserved/],
    ['a label given twice', 'a{x="1",x="2"} 1\n', /twice/],
    ['an unknown escape in HELP', '# HELP a x\\ty\n', /invalid escape/],
    ['HELP without a name', '# HELP\n', /needs a metric name/],
    ['HELP with an invalid name', '# HELP a{b} x\n', /invalid metric name/],
    ['an unknown type', '# TYPE a countr\n', /needs one of/],
    ['TYPE with an extra token', '# TYPE a counter x\n', /needs one of/],
    ['two TYPE lines', '# TYPE a gauge\n# TYPE a gauge\n', /second # TYPE/],
    ['two HELP lines', '# HELP a x\n# HELP a y\n', /second # HELP/],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n', /after its samples/],
    ['interleaved families', 'a{x="1"} 1\nb 1\na{x="2"} 1\n', /not grouped/],
    ['a series twice', 'a{x="1",y="2"} 1\na{y="2",x="1"} 2\n', /appears twice/],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n', /negative/],
    ['a histogram sample under the bare name', `${HISTOGRAM_HEAD}h 1\n`, /only _bucket/],
    ['a bucket without le', `${HISTOGRAM_HEAD}h_bucket 1\n`, /no le label/],
    ['an invalid le', `${HISTOGRAM_HEAD}h_bucket{le="x"} 1\n`, /invalid le/],
    ['le on _sum', `${HISTOGRAM_HEAD}h_sum{le="1"} 1\n`, /must not have an le/],
    ['no +Inf bucket', `${HISTOGRAM_HEAD}h_bucket{le="1"} 1\nh_sum 1\nh_count 1\n`, /without an le="\+Inf"/],
    ['buckets not cumulative', `${HISTOGRAM_HEAD}h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n`, /not cumulative/],
    ['buckets out of order', `${HISTOGRAM_HEAD}h_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n`, /ascending/],
    ['_count differing from +Inf', `${HISTOGRAM_HEAD}h_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n`, /differs/],
    ['no _sum', `${HISTOGRAM_HEAD}h_bucket{le="+Inf"} 1\nh_count 1\n`, /without h_sum/],
    ['no _count', `${HISTOGRAM_HEAD}h_bucket{le="+Inf"} 1\nh_sum 1\n`, /without h_count/],
    ['a negative bucket count', `${HISTOGRAM_HEAD}h_bucket{le="+Inf"} -1\n`, /count ≥ 0/],
    ['a summary quantile out of range', '# TYPE s summary\ns{quantile="2"} 1\n', /quantile/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusTextError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });

  it('names the line at fault', () => {
    try {
      parsePrometheusText('a 1\nb 2\nc{ 3\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PrometheusTextError);
      expect((error as PrometheusTextError).line).toBe(3);
      expect((error as Error).message).toMatch(/^line 3: /);
    }
  });

  it('checks each labelled histogram series on its own', () => {
    const text = `${HISTOGRAM_HEAD}${[
      'h_bucket{r="a",le="1"} 1',
      'h_bucket{r="a",le="+Inf"} 2',
      'h_sum{r="a"} 3',
      'h_count{r="a"} 2',
      'h_bucket{r="b",le="1"} 0',
      'h_bucket{r="b",le="+Inf"} 0',
      'h_sum{r="b"} 0',
      'h_count{r="b"} 1',
    ].join('\n')}\n`;
    expect(() => parsePrometheusText(text)).toThrow(/h_count \(1\) differs/);
  });
});
