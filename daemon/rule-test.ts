// `firewatch incidents test-rule`: would this rule fire on these events, when, and why?
//
//   events file ─┬─ JSON array of IncidentEvents ───────────────────────────────┐
//                └─ OTLP/JSON request(s) ─transcode─▶ the receiver's converters ─┴▶ drafts ─▶ scratch engine with
//   (no file) ─── sample events built from the rule ─────────────────────────────┘   only this rule, on event time
//
// The scratch engine is the real one (same windows, grouping and thresholds), fed one event at a time in event-time
// order with its clock at each event's time, so "when" is the event that crossed the threshold. Nothing here touches
// the daemon's engine or store; creating incidents (no --dry-run) is the caller's choice.

import { isoTime } from '../common/time.js';

import type { TestRuleResult } from '../api/rule.js';
import { CompiledRule, SEVERITY_RANK, compileSourcePattern, createEngine, isSeverity, type DetectionRule, type EventDraft, type IncidentEvent, type Metadata, type Severity } from '../engine/index.js';
import { transcodeOtlpJson, type SignalRoute, type TelemetrySignal } from '../receiver/index.js';

/** Most events one test may evaluate. */
export const MAX_TEST_EVENTS = 100_000;
const SAMPLE_SOURCE = 'firewatch-test-rule';

export class TestInputError extends Error {}

/** What evaluating a rule finds: the contract's TestRuleResult without what feeding the engine adds. */
export type RuleTestResult = Omit<TestRuleResult, 'dry_run' | 'incident_ids'>;

/**
 * Reads the events of a test: a JSON array of IncidentEvents (`timestamp` ISO-8601 or epoch ms, `event_type`,
 * `source`, `severity`, `message`, `metadata`, `correlation_id`), or OTLP/JSON Export requests (one object, an array
 * of them, or one per line as the Collector's file exporter writes them) converted exactly as the receiver would.
 */
export function parseTestEvents(text: string, routes: Record<TelemetrySignal, SignalRoute>): EventDraft[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new TestInputError('the events file is empty');
  let documents: unknown[];
  let label: (index: number) => string;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    documents = Array.isArray(parsed) ? parsed : [parsed];
    label = Array.isArray(parsed) ? (index) => `item ${index}` : () => 'the file';
  } catch {
    // JSON lines: one request per line.
    documents = [];
    const lineNumbers: number[] = [];
    for (const [index, line] of trimmed.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        documents.push(JSON.parse(line) as unknown);
        lineNumbers.push(index + 1);
      } catch (error) {
        throw new TestInputError(`line ${index + 1}: not JSON (${(error as Error).message.slice(0, 80)})`);
      }
    }
    label = (index) => `line ${lineNumbers[index] ?? index + 1}`;
  }
  const drafts: EventDraft[] = [];
  documents.forEach((document, index) => {
    const where = label(index);
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new TestInputError(`${where}: expected an event or an OTLP/JSON request object`);
    }
    const object = document as Record<string, unknown>;
    const signal = signalOf(object);
    if (signal !== undefined) {
      let decoded;
      try {
        decoded = routes[signal].decode(transcodeOtlpJson(Buffer.from(JSON.stringify(object)), signal));
      } catch (error) {
        throw new TestInputError(`${where}: not a valid OTLP/JSON ${signal} request: ${(error as Error).message}`);
      }
      for (const draft of decoded.drafts) drafts.push(draft);
    } else {
      drafts.push(eventDraftOf(object, where));
    }
    if (drafts.length > MAX_TEST_EVENTS) throw new TestInputError(`more than ${MAX_TEST_EVENTS} events`);
  });
  return drafts;
}

function signalOf(object: Record<string, unknown>): TelemetrySignal | undefined {
  if ('resourceSpans' in object || 'resource_spans' in object) return 'traces';
  if ('resourceLogs' in object || 'resource_logs' in object) return 'logs';
  if ('resourceMetrics' in object || 'resource_metrics' in object) return 'metrics';
  return undefined;
}

function eventDraftOf(object: Record<string, unknown>, where: string): EventDraft {
  const text = (key: string, fallback?: string): string => {
    const value = object[key];
    if (value === undefined || value === null) {
      if (fallback !== undefined) return fallback;
      throw new TestInputError(`${where}: ${key} is missing`);
    }
    if (typeof value !== 'string') throw new TestInputError(`${where}: ${key} must be a string`);
    return value;
  };
  const rawTime = object.timestamp;
  const timestamp = typeof rawTime === 'number' ? rawTime : typeof rawTime === 'string' ? Date.parse(rawTime) : Number.NaN;
  if (!Number.isFinite(timestamp)) throw new TestInputError(`${where}: timestamp must be an ISO-8601 time or epoch milliseconds`);
  const severity = text('severity', 'high').toLowerCase();
  if (!isSeverity(severity)) throw new TestInputError(`${where}: severity must be info, low, medium, high or critical`);
  const metadata = object.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TestInputError(`${where}: metadata must be an object`);
  const cleanMetadata: Metadata = {};
  for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      Object.defineProperty(cleanMetadata, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return {
    timestamp,
    event_type: text('event_type'),
    source: text('source', ''),
    severity,
    message: text('message', ''),
    metadata: cleanMetadata,
    correlation_id: text('correlation_id', '').toLowerCase(),
    span_id: text('span_id', '').toLowerCase(),
  };
}

/** Events the rule counts, exactly at its threshold, spread over its window and ending at `now`. */
export function sampleEvents(rule: DetectionRule, now: number): EventDraft[] {
  const type = rule.match.event_types[0] ?? 'error';
  const severity: Severity =
    rule.match.min_severity !== undefined && SEVERITY_RANK[rule.match.min_severity] > SEVERITY_RANK.high ? rule.match.min_severity : 'high';
  const source = sampleSource(rule.match.source_pattern);
  const metadata: Metadata = { 'firewatch.test_rule': rule.rule_id, ...(rule.match.attributes ?? {}) };
  const count = rule.error_threshold + Math.max(0, rule.min_components_affected - 1);
  const spacing = Math.floor((rule.time_window_seconds * 1000) / (count + 1));
  return Array.from({ length: count }, (_, i) => ({
    timestamp: now - (count - 1 - i) * spacing,
    event_type: type,
    // min_components_affected: the extra events come from further components.
    source: i < rule.error_threshold ? source : `${source}-${i - rule.error_threshold + 2}`,
    severity,
    message: `sample event ${i + 1} of ${count} for rule ${rule.rule_id}`,
    metadata,
    correlation_id: '',
    span_id: '',
  }));
}

function sampleSource(pattern: string | undefined): string {
  if (pattern === undefined) return SAMPLE_SOURCE;
  const candidate = pattern.replace(/\*/g, 'test').replace(/\?/g, 'x');
  return compileSourcePattern(pattern).test(candidate) ? candidate : SAMPLE_SOURCE;
}

/**
 * Evaluates `rule` (as if enabled) over `drafts` on event time. `otherRules` (the rules in force) ride along disabled:
 * the types they name are theirs, so `match.other_errors` counts exactly what it counts in the daemon.
 */
export function evaluateRule(rule: DetectionRule, drafts: readonly EventDraft[], otherRules: readonly DetectionRule[] = []): RuleTestResult {
  const sorted = [...drafts].sort((a, b) => a.timestamp - b.timestamp);
  const testRule: DetectionRule = { ...rule, enabled: true };
  const others = otherRules.filter((other) => other.rule_id !== rule.rule_id).map((other) => ({ ...other, enabled: false }));
  const clock = { now: sorted.length > 0 ? (sorted[0] as EventDraft).timestamp : 0 };
  const engine = createEngine({ rules: [testRule, ...others], clock: () => clock.now });
  const compiled = new CompiledRule(testRule, 1);
  compiled.claimedTypes = new Set([testRule, ...others].flatMap((r) => r.match.event_types));

  let firedAt: number | null = null;
  let firedGroup = '';
  let firedCount = 0;
  const matchedTimes = new Map<string, number[]>();
  let matched = 0;
  for (const draft of sorted) {
    const event: IncidentEvent = { ...draft, seq: 0, event_id: '', received_at: draft.timestamp, incident_id: '' };
    if (compiled.matches(event)) {
      matched++;
      const key = compiled.groupKeyOf(event);
      let times = matchedTimes.get(key);
      if (times === undefined) matchedTimes.set(key, (times = []));
      times.push(draft.timestamp);
    }
    if (firedAt !== null) continue;
    clock.now = Math.max(clock.now, draft.timestamp);
    const result = engine.ingest([draft]);
    const incident = result.incidents.find((candidate) => candidate.rule_id === testRule.rule_id);
    if (incident !== undefined) {
      firedAt = draft.timestamp;
      firedGroup = incident.group_key;
      firedCount = incident.event_count;
    }
  }

  const window = `${testRule.time_window_seconds}s`;
  const disabled = rule.enabled ? '' : ' (the rule is disabled: it would not run as configured)';
  let reason: string;
  if (firedAt !== null) {
    reason =
      `${firedCount} matching events within ${window} reached the threshold of ${testRule.error_threshold} at ` +
      `${isoTime(firedAt) ?? ''}${testRule.group_by ? ` for ${testRule.group_by} ${JSON.stringify(firedGroup)}` : ''}${disabled}`;
  } else if (matched === 0) {
    reason = `none of the ${sorted.length} events match (it counts ${describeMatch(testRule)})${disabled}`;
  } else {
    let best = 0;
    for (const times of matchedTimes.values()) best = Math.max(best, densestWindow(times, testRule.time_window_seconds * 1000));
    reason =
      `at most ${best} matching events fall within any ${window} window, below the threshold of ${testRule.error_threshold}` +
      (testRule.min_components_affected > 1 ? ` (it also needs ${testRule.min_components_affected} components)` : '') +
      `; ${matched} of ${sorted.length} events match${disabled}`;
  }
  return {
    rule_id: rule.rule_id,
    would_fire: firedAt !== null,
    fired_at: isoTime(firedAt),
    matched_events: matched,
    events_evaluated: sorted.length,
    reason,
  };
}

function densestWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) > windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function describeMatch(rule: DetectionRule): string {
  const parts = [rule.match.event_types.length > 0 ? `event types ${rule.match.event_types.join(', ')}` : 'any event type'];
  if (rule.match.min_severity) parts.push(`severity ≥ ${rule.match.min_severity}`);
  if (rule.match.source_pattern) parts.push(`sources matching ${rule.match.source_pattern}`);
  if (rule.match.attributes) parts.push(`metadata ${JSON.stringify(rule.match.attributes)}`);
  return parts.join(', ');
}
