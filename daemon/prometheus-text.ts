// A strict parser of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details), written independently of
// metrics-registry.ts so that tests can use it as an oracle: whatever the registry renders must parse here.
//
// Stricter than Prometheus itself where the spec says "should" and a scraper would silently misread:
//   - every line ends with a line feed; one HELP and one TYPE per family, both before its first sample;
//   - a family's lines form one group (no interleaving); no series twice;
//   - escapes only `\\`, `\"`, `\n` in label values and `\\`, `\n` in HELP; label names never start with `__`;
//   - counters are ≥ 0; a histogram's series have ascending `le` buckets with non-decreasing counts, a `+Inf`
//     bucket, a `_sum`, and a `_count` equal to the `+Inf` bucket.
// Comment lines other than HELP/TYPE are ignored, as the spec says.

export type PrometheusMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PrometheusSample {
  /** The sample's own name: `x_bucket`, `x_sum`, `x_count` for histogram `x`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface PrometheusFamily {
  type: PrometheusMetricType;
  /** Unescaped; undefined when the family has no HELP line. */
  help: string | undefined;
  samples: PrometheusSample[];
}

/** Why the text is not valid, with the 1-based line number. */
export class PrometheusTextError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'PrometheusTextError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d+$/;

interface FamilyState {
  family: PrometheusFamily;
  typed: boolean;
  series: Set<string>;
  /** Line of each sample, for errors found once the family is complete. */
  lines: number[];
}

/** Parses `text`, returning families by name in order of appearance; throws PrometheusTextError on any fault. */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
  const states = new Map<string, FamilyState>();
  let current: string | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new PrometheusTextError(lines.length, 'the last line must end with a line feed');
  lines.pop();

  /** The family `name`, made current; refuses one whose group ended earlier. */
  const enter = (name: string, lineNo: number): FamilyState => {
    let state = states.get(name);
    if (state === undefined) {
      state = { family: { type: 'untyped', help: undefined, samples: [] }, typed: false, series: new Set(), lines: [] };
      states.set(name, state);
    } else if (current !== name) {
      throw new PrometheusTextError(lineNo, `lines of ${name} are not grouped together`);
    }
    current = name;
    return state;
  };

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = trimBlanks(lines[index]!);
    if (line === '') continue;
    if (line.startsWith('#')) {
      parseComment(line, lineNo, enter);
      continue;
    }
    const sample = parseSample(line, lineNo);
    const familyName = familyOf(sample, states);
    const state = enter(familyName, lineNo);
    checkSample(state.family, familyName, sample, lineNo);
    const key = `${sample.name}${seriesKey(sample.labels, undefined)}`;
    if (state.series.has(key)) throw new PrometheusTextError(lineNo, `series ${sample.name}${JSON.stringify(sample.labels)} appears twice`);
    state.series.add(key);
    state.family.samples.push(sample);
    state.lines.push(lineNo);
  }

  const families = new Map<string, PrometheusFamily>();
  for (const [name, state] of states) {
    if (state.family.type === 'histogram') checkHistogram(name, state);
    families.set(name, state.family);
  }
  return families;
}

function trimBlanks(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && isBlank(line.charCodeAt(start))) start++;
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function skipBlanks(line: string, at: number): number {
  while (at < line.length && isBlank(line.charCodeAt(at))) at++;
  return at;
}

function parseComment(line: string, lineNo: number, enter: (name: string, lineNo: number) => FamilyState): void {
  let at = skipBlanks(line, 1);
  const keywordEnd = tokenEnd(line, at);
  const keyword = line.slice(at, keywordEnd);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return; // an ordinary comment
  at = skipBlanks(line, keywordEnd);
  if (at === keywordEnd) throw new PrometheusTextError(lineNo, `# ${keyword} needs a metric name`);
  const nameEnd = tokenEnd(line, at);
  const name = line.slice(at, nameEnd);
  if (!fullMatch(METRIC_NAME, name)) throw new PrometheusTextError(lineNo, `invalid metric name ${JSON.stringify(name)}`);
  const rest = line.slice(skipBlanks(line, nameEnd));
  const state = enter(name, lineNo);
  if (state.family.samples.length > 0) throw new PrometheusTextError(lineNo, `# ${keyword} ${name} after its samples`);
  if (keyword === 'HELP') {
    if (state.family.help !== undefined) throw new PrometheusTextError(lineNo, `second # HELP for ${name}`);
    state.family.help = unescapeHelp(rest, lineNo);
    return;
  }
  if (state.typed) throw new PrometheusTextError(lineNo, `second # TYPE for ${name}`);
  if (!TYPES.has(rest)) throw new PrometheusTextError(lineNo, `# TYPE ${name} needs one of counter, gauge, histogram, summary, untyped; got ${JSON.stringify(rest)}`);
  state.family.type = rest as PrometheusMetricType;
  state.typed = true;
}

/** End of a token: the next blank or the end of the line. */
function tokenEnd(line: string, at: number): number {
  while (at < line.length && !isBlank(line.charCodeAt(at))) at++;
  return at;
}

function fullMatch(pattern: RegExp, text: string): boolean {
  const match = pattern.exec(text);
  return match !== null && match[0].length === text.length;
}

function unescapeHelp(raw: string, lineNo: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else throw new PrometheusTextError(lineNo, `invalid escape \\${next ?? ''} in HELP (only \\\\ and \\n)`);
  }
  return out;
}

function parseSample(line: string, lineNo: number): PrometheusSample {
  const nameMatch = METRIC_NAME.exec(line);
  if (nameMatch === null) throw new PrometheusTextError(lineNo, `a sample must start with a metric name: ${JSON.stringify(line)}`);
  const name = nameMatch[0];
  let at = skipBlanks(line, name.length);
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at = parseLabels(line, at + 1, labels, lineNo);
  } else if (at === name.length && at < line.length) {
    throw new PrometheusTextError(lineNo, `expected a blank after the metric name ${name}`);
  }
  const valueStart = skipBlanks(line, at);
  if (valueStart === line.length) throw new PrometheusTextError(lineNo, `${name} has no value`);
  const valueEnd = tokenEnd(line, valueStart);
  const value = parseValue(line.slice(valueStart, valueEnd), lineNo);
  const sample: PrometheusSample = { name, labels, value };
  const timestampStart = skipBlanks(line, valueEnd);
  if (timestampStart < line.length) {
    const timestampEnd = tokenEnd(line, timestampStart);
    const timestamp = line.slice(timestampStart, timestampEnd);
    if (!TIMESTAMP.test(timestamp) || !Number.isSafeInteger(Number(timestamp))) {
      throw new PrometheusTextError(lineNo, `invalid timestamp ${JSON.stringify(timestamp)} (milliseconds, an integer)`);
    }
    if (timestampEnd !== line.length) throw new PrometheusTextError(lineNo, `unexpected ${JSON.stringify(line.slice(timestampEnd))} after the timestamp`);
    sample.timestampMs = Number(timestamp);
  }
  return sample;
}

/** Parses `name="value", …}` from `at` (just past `{`); returns the index past `}`. A trailing comma is allowed. */
function parseLabels(line: string, at: number, labels: Record<string, string>, lineNo: number): number {
  at = skipBlanks(line, at);
  while (line[at] !== '}') {
    const nameMatch = LABEL_NAME.exec(line.slice(at));
    if (nameMatch === null) throw new PrometheusTextError(lineNo, `expected a label name or } at column ${at + 1}`);
    const labelName = nameMatch[0];
    if (labelName.startsWith('__')) throw new PrometheusTextError(lineNo, `label name ${labelName} is reserved (starts with __)`);
    if (Object.hasOwn(labels, labelName)) throw new PrometheusTextError(lineNo, `label ${labelName} given twice`);
    at = skipBlanks(line, at + labelName.length);
    if (line[at] !== '=') throw new PrometheusTextError(lineNo, `expected = after label ${labelName}`);
    at = skipBlanks(line, at + 1);
    if (line[at] !== '"') throw new PrometheusTextError(lineNo, `expected " to open the value of label ${labelName}`);
    at += 1;
    let value = '';
    for (;;) {
      const c = line[at];
      if (c === undefined) throw new PrometheusTextError(lineNo, `unterminated value of label ${labelName}`);
      at += 1;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const next = line[at];
      at += 1;
      if (next === '\\') value += '\\';
      else if (next === '"') value += '"';
      else if (next === 'n') value += '\n';
      else throw new PrometheusTextError(lineNo, `invalid escape \\${next ?? ''} in the value of label ${labelName}`);
    }
    labels[labelName] = value;
    at = skipBlanks(line, at);
    if (line[at] === ',') at = skipBlanks(line, at + 1);
    else if (line[at] !== '}') throw new PrometheusTextError(lineNo, `expected , or } after the value of label ${labelName}`);
  }
  return at + 1;
}

/** Go's ParseFloat as the format uses it: decimal (with exponent), `NaN`, `+Inf`, `-Inf`, `Inf`. */
function parseValue(token: string, lineNo: number): number {
  if (token === 'NaN') return NaN;
  if (token === '+Inf' || token === 'Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  if (!DECIMAL.test(token)) throw new PrometheusTextError(lineNo, `invalid value ${JSON.stringify(token)}`);
  return Number(token);
}

/** The family a sample belongs to: its own name, or a histogram/summary it is the _bucket/_sum/_count of. */
function familyOf(sample: PrometheusSample, states: ReadonlyMap<string, FamilyState>): string {
  const own = states.get(sample.name);
  if (own !== undefined && own.family.type !== 'histogram') return sample.name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.name.endsWith(suffix)) continue;
    const base = sample.name.slice(0, -suffix.length);
    const type = states.get(base)?.family.type;
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return sample.name;
}

function checkSample(family: PrometheusFamily, familyName: string, sample: PrometheusSample, lineNo: number): void {
  switch (family.type) {
    case 'counter':
      if (sample.value < 0) throw new PrometheusTextError(lineNo, `counter ${sample.name} is negative (${sample.value})`);
      return;
    case 'histogram':
      if (sample.name === familyName) throw new PrometheusTextError(lineNo, `histogram ${familyName} has only _bucket, _sum and _count samples`);
      if (sample.name.endsWith('_bucket')) {
        const le = sample.labels.le;
        if (le === undefined) throw new PrometheusTextError(lineNo, `${sample.name} has no le label`);
        if (Number.isNaN(parseBound(le))) throw new PrometheusTextError(lineNo, `${sample.name} has an invalid le ${JSON.stringify(le)}`);
      } else if (Object.hasOwn(sample.labels, 'le')) {
        throw new PrometheusTextError(lineNo, `${sample.name} must not have an le label`);
      }
      if (!sample.name.endsWith('_sum') && !(sample.value >= 0)) {
        throw new PrometheusTextError(lineNo, `${sample.name} must be a count ≥ 0, got ${sample.value}`);
      }
      return;
    case 'summary':
      if (sample.name === familyName) {
        const quantile = sample.labels.quantile;
        const q = quantile === undefined ? NaN : parseBound(quantile);
        if (!(q >= 0 && q <= 1)) throw new PrometheusTextError(lineNo, `${sample.name} needs a quantile label from 0 to 1`);
      }
      return;
    default:
      return;
  }
}

function parseBound(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** Labels as a canonical key (sorted), leaving `omit` out. */
function seriesKey(labels: Record<string, string>, omit: string | undefined): string {
  const entries = Object.entries(labels).filter(([name]) => name !== omit);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

interface HistogramSeries {
  lastLe: number;
  lastCount: number;
  infCount: number | undefined;
  count: number | undefined;
  sum: boolean;
  line: number;
}

function checkHistogram(name: string, state: FamilyState): void {
  const series = new Map<string, HistogramSeries>();
  const samples = state.family.samples;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    const lineNo = state.lines[i]!;
    const key = seriesKey(sample.labels, 'le');
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { lastLe: -Infinity, lastCount: 0, infCount: undefined, count: undefined, sum: false, line: lineNo };
      series.set(key, entry);
    }
    if (sample.name === `${name}_bucket`) {
      const le = parseBound(sample.labels.le!);
      if (le <= entry.lastLe && entry.lastLe !== -Infinity) throw new PrometheusTextError(lineNo, `${name} buckets are not in ascending le order`);
      if (sample.value < entry.lastCount) throw new PrometheusTextError(lineNo, `${name} buckets are not cumulative (le=${sample.labels.le} counts less than the bucket before)`);
      entry.lastLe = le;
      entry.lastCount = sample.value;
      if (le === Infinity) entry.infCount = sample.value;
    } else if (sample.name === `${name}_count`) {
      entry.count = sample.value;
    } else {
      entry.sum = true;
    }
  }
  for (const entry of series.values()) {
    if (entry.infCount === undefined) throw new PrometheusTextError(entry.line, `${name} has a series without an le="+Inf" bucket`);
    if (entry.count === undefined) throw new PrometheusTextError(entry.line, `${name} has a series without ${name}_count`);
    if (!entry.sum) throw new PrometheusTextError(entry.line, `${name} has a series without ${name}_sum`);
    if (entry.count !== entry.infCount) {
      throw new PrometheusTextError(entry.line, `${name}_count (${entry.count}) differs from its le="+Inf" bucket (${entry.infCount})`);
    }
  }
}
