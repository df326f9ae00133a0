import { describe, expect, it } from 'vitest';

import { MINUTE, SECOND, T0, burst, draft, testClock, testEngine } from '../test/helpers/engine-fixtures.js';
import { INCIDENT_STATUSES, isOpenStatus } from './types.js';
import type { Incident, IncidentStatus } from './types.js';
import { lastJoinedAt, lastTransitionTo } from './recovery.js';
import {
  acknowledge,
  addNote,
  applyTransition,
  assign,
  checkedActor,
  formatNote,
  isAcknowledged,
  MAX_NOTE_LENGTH,
  parseNote,
  transitionRefusal,
  WorkflowError,
} from './workflow.js';

function incidentIn(status: IncidentStatus): Incident {
  const { engine } = testEngine();
  const incident = engine.createIncident({ incident_type: 'error_burst' });
  incident.status = status;
  return incident;
}

describe('status transitions', () => {
  it.each(INCIDENT_STATUSES.flatMap((from) => INCIDENT_STATUSES.map((to) => [from, to] as const)))(
    '%s → %s follows the state machine',
    (from, to) => {
      const refusal = transitionRefusal(incidentIn(from), to);
      const allowed =
        from !== to && from !== 'closed' && (isOpenStatus(from) ? to !== 'closed' : to === 'closed');
      expect(refusal === undefined).toBe(allowed);
    },
  );

  it('refusals say why and what would work', () => {
    expect(transitionRefusal(incidentIn('investigating'), 'closed')).toBe(
      'inc_00001 is investigating: only a resolved incident can be closed (resolve it first: firewatch incidents resolve inc_00001)',
    );
    expect(() => applyTransition(incidentIn('closed'), 'resolved', { at: T0, by: 'ann' })).toThrow(WorkflowError);
  });

  it('resolving stamps resolved_at, mttr, who and why; the acknowledgement ends', () => {
    const incident = incidentIn('investigating');
    incident.first_event_at = T0;
    acknowledge(incident, { at: T0 + MINUTE, by: 'ann' });
    expect(isAcknowledged(incident)).toBe(true);

    applyTransition(incident, 'resolved', { at: T0 + 45 * MINUTE, by: 'john.doe', reason: 'restarted the pool' });

    expect(incident).toMatchObject({
      status: 'resolved',
      resolved_at: T0 + 45 * MINUTE,
      mttr: 2700,
      auto_resolved: false,
      resolution: 'john.doe: restarted the pool',
      acknowledged_by: 'ann',
    });
    expect(isAcknowledged(incident)).toBe(false);
    expect(incident.status_history.at(-1)).toEqual({
      at: T0 + 45 * MINUTE,
      from: 'investigating',
      to: 'resolved',
      by: 'john.doe',
      reason: 'restarted the pool',
    });
  });

  it('acknowledge, assign and notes refuse what makes no sense', () => {
    const incident = incidentIn('investigating');
    acknowledge(incident, { at: T0, by: 'ann' });
    expect(() => acknowledge(incident, { at: T0, by: 'bob' })).toThrow('already acknowledged by ann');
    assign(incident, 'john.doe', { at: T0, by: 'ann' });
    expect(() => assign(incident, 'john.doe', { at: T0, by: 'ann' })).toThrow('already assigned to john.doe');
    assign(incident, null, { at: T0, by: 'ann' });
    expect(incident.assigned_to).toBeNull();
    expect(() => assign(incident, 'evil\u001b]52;c;AAAA\u0007', { at: T0, by: 'ann' })).toThrow('control characters');
    addNote(incident, '  checked\nthe   pool ', { at: T0, by: 'ann' });
    expect(incident.notes.at(-1)).toBe('2025-02-05T10:30:00Z ann: checked the pool');
    expect(() => acknowledge(incidentIn('resolved'), { at: T0, by: 'ann' })).toThrow('only an open incident');
  });
});

describe('notes', () => {
  it('formatNote and parseNote: `<ISO time> <by>: <text>`, the author up to the first `: `', () => {
    expect(formatNote(T0, 'ann', 'checked the pool')).toBe('2025-02-05T10:30:00Z ann: checked the pool');
    // the time formatted last is kept: the same time again, another one, and back
    expect(formatNote(T0, 'bob', 'again')).toBe('2025-02-05T10:30:00Z bob: again');
    expect(formatNote(T0 + 250, 'ann', 'later')).toBe('2025-02-05T10:30:00.250Z ann: later');
    expect(formatNote(T0, 'ann', 'back')).toBe('2025-02-05T10:30:00Z ann: back');
    expect(formatNote(T0 + 250, 'ann', 'x')).toBe('2025-02-05T10:30:00.250Z ann: x');
    for (const [by, text] of [
      ['ann', 'checked the pool'],
      ['webhook:pagerduty', 'acknowledged: by phone'],
      ['John Doe', 'a: b: c'],
      ['ann', ''],
    ]) {
      expect(parseNote(formatNote(T0 + 250, by!, text!))).toEqual({ at: T0 + 250, by, text });
    }
    const incident = incidentIn('investigating');
    addNote(incident, '  checked\nthe   pool ', { at: T0, by: 'slack:U123' });
    expect(parseNote(incident.notes.at(-1)!)).toEqual({ at: T0, by: 'slack:U123', text: 'checked the pool' });
  });

  it('parseNote: undefined for notes it did not write', () => {
    expect(parseNote('severity high → critical: 70% of payments requests failed (threshold 50%)')).toBeUndefined();
    expect(parseNote('2025-02-05T10:30:00Z no separator')).toBeUndefined();
    expect(parseNote('2025-02-05T10:30:00Z : no author')).toBeUndefined();
    expect(parseNote('2025-13-45T10:30:00Z ann: bad date')).toBeUndefined();
    expect(parseNote('')).toBeUndefined();
  });

  it('long notes are clipped with an ellipsis, never inside a surrogate pair', () => {
    const emoji = '\u{1F525}'; // two UTF-16 units
    for (const prefix of ['', 'x']) {
      const incident = incidentIn('investigating');
      addNote(incident, prefix + emoji.repeat(MAX_NOTE_LENGTH), { at: T0, by: 'ann' });
      const { text } = parseNote(incident.notes.at(-1)!)!;
      expect(text.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
      expect(text.endsWith('…')).toBe(true);
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone half
    }
  });

  it('checkedActor trims and refuses empty, overlong and control-character names', () => {
    expect(checkedActor('  ann ', 'assignee')).toBe('ann');
    expect(() => checkedActor(' ', 'assignee')).toThrow('assignee must name someone');
    expect(() => checkedActor('a'.repeat(129), 'assignee')).toThrow('longer than 128');
    expect(() => checkedActor('a\u0007', 'acknowledged by')).toThrow('acknowledged by contains control characters');
  });
});

describe('automatic progress and recovery (engine)', () => {
  it('a rule-opened incident is detected, then assessing with its root cause', () => {
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    expect(incident!.status).toBe('assessing');
    expect(incident!.status_history.map((entry) => [entry.from, entry.to, entry.by])).toEqual([
      [null, 'detected', 'firewatch'],
      ['detected', 'assessing', 'firewatch'],
    ]);
    expect(incident!.status_history[0]!.reason).toContain('rule error_burst: 10 matching events within 5m');
    expect(incident!.status_history[1]!.reason).toBe('root cause computed: error on checkout');
  });

  it('recovery is read from the history: when it began and where to go back to', () => {
    const incident = incidentIn('remediating');
    expect(lastTransitionTo(incident, 'recovering')).toBeUndefined();
    applyTransition(incident, 'recovering', { at: T0 + MINUTE, by: 'firewatch' });
    expect(lastTransitionTo(incident, 'recovering')).toMatchObject({ at: T0 + MINUTE, from: 'remediating' });
    expect('status_before_recovery' in incident).toBe(false);

    // incidents stored before status_history and last_joined_at existed
    const old = { ...incident, detected_at: T0, updated_at: T0 + 2 * MINUTE } as Partial<Incident>;
    delete old.status_history;
    delete old.last_joined_at;
    expect(lastTransitionTo(old as Incident, 'recovering')).toBeUndefined();
    expect(lastJoinedAt(old as Incident)).toBe(T0 + 2 * MINUTE);
  });

  it('quiet for the rule window → recovering; quiet for the quiet period → resolved, auto_resolved', () => {
    // prepare
    const clock = testClock(T0 + 10 * SECOND);
    const { engine } = testEngine({ recovery: { quietPeriodSeconds: 300 } }, clock);
    engine.ingest(burst(10, T0, SECOND));
    const update = engine.incident('inc_00001')!;
    applyTransition(update, 'investigating', { at: clock.now, by: 'firewatch' });
    engine.updateIncident(update);

    // act + verify: not yet quiet for the 5-minute window
    clock.now += 4 * MINUTE;
    expect(engine.tick().incidents).toEqual([]);
    clock.now += MINUTE + SECOND;
    const recovering = engine.tick().incidents;
    expect(recovering.map((i) => i.status)).toEqual(['recovering']);

    clock.now += 4 * MINUTE;
    expect(engine.tick().incidents).toEqual([]);
    clock.now += MINUTE;
    const [resolved] = engine.tick().incidents;
    expect(resolved).toMatchObject({ status: 'resolved', auto_resolved: true, resolved_at: clock.now });
    expect(resolved!.resolution).toMatch(/^firewatch: exit criteria held: no matching events for 10m/);
    expect(engine.openIncidents()).toEqual([]);

    // a new burst after resolution opens a new incident, which knows the old one
    const [next] = engine.ingest(burst(10, clock.now - 20 * SECOND, SECOND, {}, 100)).incidents;
    expect(next!.incident_id).toBe('inc_00002');
    expect(next!.similar_incidents[0]!.incident_id).toBe('inc_00001');
  });

  it('a matching event during recovery sends it back where it was', () => {
    const clock = testClock(T0 + 10 * SECOND);
    const { engine } = testEngine({}, clock);
    engine.ingest(burst(10, T0, SECOND));
    const update = engine.incident('inc_00001')!;
    applyTransition(update, 'remediating', { at: clock.now, by: 'ann' });
    engine.updateIncident(update);
    clock.now += 6 * MINUTE;
    expect(engine.tick().incidents[0]!.status).toBe('recovering');

    clock.now += MINUTE;
    const [back] = engine.ingest([draft({ timestamp: clock.now - SECOND })]).incidents;

    expect(back!.status).toBe('remediating');
    expect(back!.status_history.at(-1)).toMatchObject({ from: 'recovering', to: 'remediating', by: 'firewatch' });
    expect(back!.status_history.at(-1)!.reason).toContain('during recovery');
    clock.now += 4 * MINUTE;
    expect(engine.tick().incidents).toEqual([]); // the quiet clock restarted with that event
  });

  it('incidents opened by hand never recover on their own; autoResolve false stops at recovering', () => {
    const clock = testClock(T0);
    const { engine } = testEngine({ recovery: { autoResolve: false } }, clock);
    engine.createIncident({ incident_type: 'security_breach', created_by: 'ann' });
    engine.ingest(burst(10, T0, SECOND, { source: 'api' }, 50));
    clock.now += 30 * MINUTE;
    expect(engine.tick().incidents.map((i) => [i.incident_id, i.status])).toEqual([['inc_00002', 'recovering']]);
    clock.now += 30 * MINUTE;
    expect(engine.tick().incidents).toEqual([]);
    expect(engine.openIncidents().map((i) => i.status)).toEqual(['detected', 'recovering']);
  });
});
