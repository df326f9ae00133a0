import { describe, expect, it } from 'vitest';
import {
  applySilence,
  formatSilenceId,
  holdingSilence,
  isSilenceActive,
  parseSilenceSeq,
  silenceMatches,
  type Silence,
  type SilenceContext,
} from './maintenance-windows.js';
import { T0, testIncident } from '../test/helpers/notify-fixtures.js';

const HOUR = 3_600_000;

function silence(overrides: Partial<Silence> = {}): Silence {
  return {
    silence_id: 'sil_00001',
    component: 'payments',
    incident_type: null,
    starts_at: T0,
    ends_at: T0 + HOUR,
    comment: 'db migration CHG-42',
    created_by: 'ann',
    created_at: T0,
    expired_at: null,
    expired_by: null,
    ...overrides,
  };
}

function context(active: Silence[], overrides: Partial<SilenceContext> = {}): SilenceContext {
  const all = new Map(active.map((s) => [s.silence_id, s]));
  return { at: T0 + 1000, active, lookup: (id) => all.get(id), announced: null, ...overrides };
}

describe('silence ids', () => {
  it('formats and parses sil_NNNNN', () => {
    expect(formatSilenceId(7)).toBe('sil_00007');
    expect(formatSilenceId(123456)).toBe('sil_123456');
    expect(parseSilenceSeq('sil_00042')).toBe(42);
    expect(parseSilenceSeq('inc_00042')).toBeUndefined();
    expect(parseSilenceSeq('sil_42')).toBeUndefined();
  });
});

describe('which silence holds an incident', () => {
  const incident = testIncident({ incident_type: 'error_burst', affected_components: ['checkout', 'payments'] });

  it.each<[string, Partial<Silence>, number, boolean]>([
    ['its component, any type, inside the window', {}, T0 + 1, true],
    ['at the start instant', {}, T0, true],
    ['at the end instant (ends are exclusive)', {}, T0 + HOUR, false],
    ['before it starts', { starts_at: T0 + 10 }, T0 + 1, false],
    ['expired by hand', { expired_at: T0 + 5, expired_by: 'bob' }, T0 + 1, false],
    ['another component', { component: 'inventory' }, T0 + 1, false],
    ['a component that only contains the name', { component: 'pay' }, T0 + 1, false],
    ['its type', { incident_type: 'error_burst' }, T0 + 1, true],
    ['another type', { incident_type: 'service_down' }, T0 + 1, false],
  ])('%s → %s', (_name, overrides, at, holds) => {
    const candidate = silence(overrides);
    expect(isSilenceActive(candidate, at) && silenceMatches(candidate, incident)).toBe(holds);
    expect(holdingSilence(incident, [candidate], at)?.silence_id).toBe(holds ? 'sil_00001' : undefined);
  });

  it('of several, the one that ends last holds it (then the oldest)', () => {
    const short = silence({ silence_id: 'sil_00001', ends_at: T0 + HOUR });
    const long = silence({ silence_id: 'sil_00002', ends_at: T0 + 2 * HOUR });
    const sameEnd = silence({ silence_id: 'sil_00003', ends_at: T0 + 2 * HOUR });
    expect(holdingSilence(incident, [short, sameEnd, long], T0 + 1)?.silence_id).toBe('sil_00002');
  });
});

describe('applySilence', () => {
  it('silences an open incident that opens under a silence: unannounced, with a note from firewatch', () => {
    // prepare
    const incident = testIncident({ affected_components: ['payments'] });

    // act
    const changed = applySilence(incident, context([silence()]));

    // verify
    expect(changed).toBe(true);
    expect(incident.silenced_by).toBe('sil_00001');
    expect(incident.announced_severity).toBeNull();
    expect(incident.notes).toEqual([
      `${new Date(T0 + 1000).toISOString().replace('.000Z', 'Z')} firewatch: silenced by sil_00001 until 2025-02-05T11:30:00.000Z (ann): db migration CHG-42`,
    ]);
  });

  it('remembers the severity the channels were told of when an announced incident becomes silenced', () => {
    const incident = testIncident({ affected_components: ['payments'], severity: 'critical' });
    applySilence(incident, context([silence()], { announced: 'high' }));
    expect(incident.announced_severity).toBe('high');
  });

  it('keeps what was announced when another silence takes over, and says so', () => {
    // prepare: held by sil_00001 (announced at high); sil_00001 ends, sil_00002 still runs
    const incident = testIncident({ affected_components: ['payments'], silenced_by: 'sil_00001', announced_severity: 'high' });
    const ended = silence({ ends_at: T0 + 500 });
    const next = silence({ silence_id: 'sil_00002', ends_at: T0 + HOUR });

    // act
    const changed = applySilence(incident, { ...context([ended, next]), announced: 'critical' });

    // verify
    expect(changed).toBe(true);
    expect(incident.silenced_by).toBe('sil_00002');
    expect(incident.announced_severity).toBe('high');
  });

  it.each<[string, Partial<Silence>, string]>([
    ['ended on time', { ends_at: T0 + 500 }, 'silence sil_00001 ended'],
    ['expired by hand', { expired_at: T0 + 700, expired_by: 'bob' }, 'silence sil_00001 expired by bob'],
    ['no longer matching (the incident changed type)', { incident_type: 'service_down' }, 'silence sil_00001 no longer applies (service_down on payments)'],
  ])('unsilences when its silence %s', (_name, overrides, note) => {
    // prepare
    const incident = testIncident({ incident_type: 'error_burst', affected_components: ['payments'], silenced_by: 'sil_00001', announced_severity: null });
    const held = silence(overrides);

    // act
    const changed = applySilence(incident, context([held]));

    // verify
    expect(changed).toBe(true);
    expect(incident.silenced_by).toBeNull();
    expect('announced_severity' in incident).toBe(false);
    expect(incident.notes.at(-1)).toMatch(new RegExp(` firewatch: ${note.replace(/[()]/g, '\\$&')}$`));
  });

  it('leaves resolved incidents (their silenced_by is history) and unchanged ones alone', () => {
    const resolved = testIncident({ status: 'resolved', affected_components: ['payments'], silenced_by: 'sil_00001', announced_severity: null });
    expect(applySilence(resolved, context([]))).toBe(false);
    expect(resolved.silenced_by).toBe('sil_00001');

    const held = testIncident({ affected_components: ['payments'], silenced_by: 'sil_00001', announced_severity: null });
    expect(applySilence(held, context([silence()]))).toBe(false);
    expect(held.notes).toEqual([]);

    const free = testIncident({ affected_components: ['checkout'] });
    expect(applySilence(free, context([silence()]))).toBe(false);
    expect(free.silenced_by).toBeUndefined();
  });
});
