// Scores what the daemon raised against what each scenario expects.
//
//   per scenario: each incident raised is matched to an expected one of the same type whose components it lists
//                 (first come, first matched); one that fits an expectation already met is a duplicate, one that fits
//                 none is unexpected. Both count against precision.
//   precision  = matched incidents / incidents raised          recall = matched / incidents expected
//   root cause = matched incidents whose primary_source, root_span.service (and any root_span fields named) are right
//   severity   = matched incidents at the expected severity    counts = matched incidents with the expected event_count
//   MTTD       = mttd of the matched incidents (scenarios with replayed telemetry left out), p50 and max

import type { ExpectedIncident, Scenario } from './scenario.js';

/** The fields of an incident's contract JSON the score reads. */
export interface RaisedIncident {
  incident_id: string;
  incident_type: string;
  severity: string;
  affected_components: string[];
  event_count: number;
  mttd: number;
  root_cause: { primary_source: string; root_span?: Record<string, string> };
}

export interface ScenarioOutcome {
  name: string;
  scenario: Scenario;
  raised: readonly RaisedIncident[];
}

export interface CorpusScore {
  scenarios: number;
  expected: number;
  raised: number;
  matched: number;
  duplicates: number;
  unexpected: number;
  precision: number;
  recall: number;
  rootCause: number;
  severity: number;
  counts: number;
  mttdP50: number | null;
  mttdMax: number | null;
  /** One line per slip, `scenario: what`. */
  slips: string[];
}

function fits(expected: ExpectedIncident, incident: RaisedIncident): boolean {
  return incident.incident_type === expected.type && expected.components.some((c) => incident.affected_components.includes(c));
}

export function rootCauseRight(expected: ExpectedIncident, incident: RaisedIncident): boolean {
  const rc = incident.root_cause;
  if (rc.primary_source !== expected.primary_source) return false;
  if ((rc.root_span?.service ?? null) !== expected.root_span_service) return false;
  for (const [key, value] of Object.entries(expected.root_span ?? {})) if (rc.root_span?.[key] !== value) return false;
  return true;
}

function describe(incident: RaisedIncident): string {
  const rc = incident.root_cause;
  return (
    `${incident.incident_type}/${incident.severity} at ${rc.primary_source} (root span ${rc.root_span?.service ?? '-'}` +
    `${rc.root_span?.exception_type ? ` ${rc.root_span.exception_type}` : ''}), components ${incident.affected_components.join(',')}, ` +
    `${incident.event_count} events`
  );
}

function describeExpected(expected: ExpectedIncident): string {
  return `${expected.type}/${expected.severity} at ${expected.primary_source} (root span ${expected.root_span_service ?? '-'})`;
}

/** Nearest rank, as `incidents stats` reports percentiles. */
function nearestRank(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? null;
}

export function scoreCorpus(outcomes: readonly ScenarioOutcome[]): CorpusScore {
  let expectedTotal = 0;
  let raisedTotal = 0;
  let matched = 0;
  let duplicates = 0;
  let unexpected = 0;
  let rootCauseRightCount = 0;
  let severityRight = 0;
  let counted = 0;
  let countsRight = 0;
  const mttds: number[] = [];
  const slips: string[] = [];
  for (const { name, scenario, raised } of outcomes) {
    const instances: { expected: ExpectedIncident; met: boolean }[] = [];
    for (const expected of scenario.expected) {
      for (let i = 0; i < (expected.count ?? 1); i++) instances.push({ expected, met: false });
    }
    expectedTotal += instances.length;
    raisedTotal += raised.length;
    for (const incident of raised) {
      const open = instances.find((instance) => !instance.met && fits(instance.expected, incident));
      if (open === undefined) {
        if (instances.some((instance) => fits(instance.expected, incident))) {
          duplicates++;
          slips.push(`${name}: duplicate ${describe(incident)}`);
        } else {
          unexpected++;
          slips.push(`${name}: unexpected ${describe(incident)}`);
        }
        continue;
      }
      open.met = true;
      matched++;
      const expected = open.expected;
      if (!scenario.replayed) mttds.push(incident.mttd);
      if (rootCauseRight(expected, incident)) rootCauseRightCount++;
      else slips.push(`${name}: root cause ${describe(incident)}, expected ${describeExpected(expected)}`);
      if (incident.severity === expected.severity) severityRight++;
      else slips.push(`${name}: severity ${incident.severity}, expected ${expected.severity}`);
      if (expected.event_count !== undefined) {
        counted++;
        if (incident.event_count === expected.event_count) countsRight++;
        else slips.push(`${name}: ${incident.event_count} events, expected ${expected.event_count}`);
      }
    }
    for (const instance of instances) if (!instance.met) slips.push(`${name}: missed ${describeExpected(instance.expected)}`);
  }
  mttds.sort((a, b) => a - b);
  const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
  return {
    scenarios: outcomes.length,
    expected: expectedTotal,
    raised: raisedTotal,
    matched,
    duplicates,
    unexpected,
    precision: ratio(matched, raisedTotal),
    recall: ratio(matched, expectedTotal),
    rootCause: ratio(rootCauseRightCount, matched),
    severity: ratio(severityRight, matched),
    counts: ratio(countsRight, counted),
    mttdP50: nearestRank(mttds, 0.5),
    mttdMax: mttds.length === 0 ? null : (mttds[mttds.length - 1] as number),
    slips,
  };
}

/** The score as a few lines of text (what the runner prints and the issue notes quote). */
export function formatScore(score: CorpusScore): string {
  const figure = (value: number) => value.toFixed(2);
  const seconds = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} s`);
  return [
    `scenarios ${score.scenarios}, incidents expected ${score.expected}, raised ${score.raised} ` +
      `(matched ${score.matched}, duplicates ${score.duplicates}, unexpected ${score.unexpected})`,
    `precision ${figure(score.precision)}  recall ${figure(score.recall)}  root cause ${figure(score.rootCause)}  ` +
      `severity ${figure(score.severity)}  counts ${figure(score.counts)}  MTTD p50 ${seconds(score.mttdP50)} max ${seconds(score.mttdMax)}`,
    ...score.slips.map((slip) => `  ${slip}`),
  ].join('\n');
}
