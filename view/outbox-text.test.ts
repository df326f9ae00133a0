import { describe, expect, it } from 'vitest';
import type { NotificationJson } from '../api/notification.js';
import type { SilenceJson } from '../api/silence.js';
import { notificationCells, notificationsByChannel, silenceCells, silenceRequest, silenceState, sortSilences } from './outbox-text.js';

const NOW = Date.parse('2026-12-07T18:00:00Z');

function silence(overrides: Partial<SilenceJson> = {}): SilenceJson {
  return {
    silence_id: 'sil_00001',
    component: 'payments',
    incident_type: null,
    starts_at: '2026-12-07T17:00:00.000Z',
    ends_at: '2026-12-07T20:00:00.000Z',
    comment: 'CHG-1 db upgrade',
    created_by: 'ann',
    created_at: '2026-12-07T17:00:00.000Z',
    expired_at: null,
    expired_by: null,
    active: true,
    ...overrides,
  };
}

function notification(overrides: Partial<NotificationJson> = {}): NotificationJson {
  return {
    notification_id: 'ntf_inc_00001_triggered_1',
    channel: 'slack',
    kind: 'triggered',
    incident_id: 'inc_00001',
    state: 'pending',
    created_at: '2026-12-07T17:59:00.000Z',
    attempts: 0,
    next_attempt_at: '2026-12-07T18:00:30.000Z',
    last_error: null,
    failed_at: null,
    reason: null,
    ...overrides,
  };
}

describe('silences in words', () => {
  it('writes matcher, until, who and comment, and says how it ended', () => {
    expect(silenceCells(silence({ incident_type: 'memory_exhaustion' }), NOW)).toEqual([
      'sil_00001',
      'active',
      'component=payments type=memory_exhaustion',
      '20:00Z (in 2h)',
      'ann',
      'CHG-1 db upgrade',
    ]);
    const expired = silence({ active: false, expired_at: '2026-12-07T17:30:00.000Z', expired_by: 'bob' });
    expect(silenceState(expired, NOW)).toBe('expired');
    expect(silenceCells(expired, NOW).slice(1, 4)).toEqual(['expired by bob', 'component=payments', '17:30Z (30m ago)']);
    // Tomorrow but within a day: the countdown says which day (a narrow column keeps it); a day or more: the date.
    expect(silenceCells(silence({ ends_at: '2026-12-08T06:00:00.000Z' }), NOW)[3]).toBe('06:00Z (in 12h)');
    expect(silenceCells(silence({ ends_at: '2026-12-10T06:00:00.000Z' }), NOW)[3]).toBe('2026-12-10 06:00Z (in 2d)');
    expect(silenceCells(silence({ active: false, ends_at: '2026-12-05T06:00:00.000Z' }), NOW)[3]).toBe('2026-12-05 06:00Z (2d ago)');
    // A countdown reads to the nearest minute: a 2 h silence drawn a moment after it started, or by a screen whose
    // clock tick predates it, reads 2h; 30 s left read 30s.
    expect(silenceCells(silence({ ends_at: '2026-12-07T20:00:00.000Z' }), NOW + 1)[3]).toBe('20:00Z (in 2h)');
    expect(silenceCells(silence({ ends_at: '2026-12-07T20:00:00.000Z' }), NOW - 20_000)[3]).toBe('20:00Z (in 2h)');
    expect(silenceCells(silence({ ends_at: '2026-12-07T20:00:00.000Z' }), NOW + 61_000)[3]).toBe('20:00Z (in 1h 59m)');
    expect(silenceCells(silence({ ends_at: '2026-12-07T18:00:30.000Z' }), NOW + 500)[3]).toBe('18:00Z (in 30s)');
    expect(silenceState(silence({ active: false, ends_at: '2026-12-07T17:30:00.000Z' }), NOW)).toBe('ended');
    expect(silenceState(silence({ active: false, starts_at: '2026-12-07T19:00:00.000Z' }), NOW)).toBe('scheduled');
  });

  it('cleans control sequences out of what telemetry or people typed', () => {
    const cells = silenceCells(silence({ component: 'pay\u001b]52;c;aGk=\u0007ments', comment: 'a\u001b[2Jb\nc', created_by: 'x\u0007y' }), NOW);
    expect(cells.join(' ')).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('lists those in force first, soonest to end first, then the most recently ended', () => {
    const list = [
      silence({ silence_id: 'sil_00001', active: false, ends_at: '2026-12-07T10:00:00.000Z' }),
      silence({ silence_id: 'sil_00002', ends_at: '2026-12-08T00:00:00.000Z' }),
      silence({ silence_id: 'sil_00003', active: false, expired_at: '2026-12-07T16:00:00.000Z' }),
      silence({ silence_id: 'sil_00004', ends_at: '2026-12-07T19:00:00.000Z' }),
    ];
    expect(sortSilences(list).map((s) => s.silence_id)).toEqual(['sil_00004', 'sil_00002', 'sil_00003', 'sil_00001']);
  });

  it('reads the create form: a duration or an instant, an optional type, a comment required', () => {
    const draft = { component: ' payments ', incident_type: '', length: '90m', comment: ' CHG-2 ' };
    expect(silenceRequest(draft, 'ann')).toEqual({ ok: true, request: { actor: 'ann', component: 'payments', comment: 'CHG-2', duration_seconds: 5400 } });
    expect(silenceRequest({ ...draft, incident_type: 'error_burst', length: '2026-12-08T06:00' }, 'ann')).toEqual({
      ok: true,
      request: { actor: 'ann', component: 'payments', comment: 'CHG-2', incident_type: 'error_burst', until: '2026-12-08T06:00:00.000Z' },
    });
    expect(silenceRequest({ ...draft, length: '0m' }, 'ann')).toEqual({ ok: false, error: 'the duration must be above zero' });
    expect(silenceRequest({ ...draft, length: 'soon' }, 'ann')).toMatchObject({ ok: false, error: expect.stringMatching(/^how long/) });
    expect(silenceRequest({ ...draft, incident_type: 'nope' }, 'ann')).toEqual({ ok: false, error: 'not an incident type: nope' });
    expect(silenceRequest({ ...draft, comment: ' ' }, 'ann')).toMatchObject({ ok: false });
    expect(silenceRequest({ ...draft, component: '' }, 'ann')).toMatchObject({ ok: false });
  });
});

describe('notifications in words', () => {
  it('groups by channel, pending before dead letters, and says why a letter died', () => {
    const items = [
      notification({ notification_id: 'a', channel: 'webhook:ops', state: 'dead', attempts: 5, next_attempt_at: null, last_error: 'HTTP 500', failed_at: '2026-12-07T17:50:00.000Z', reason: 'HTTP 400 Bad Request' }),
      notification({ notification_id: 'b', channel: 'slack' }),
      notification({ notification_id: 'c', channel: 'webhook:ops', last_error: 'timeout', attempts: 2 }),
    ];
    const groups = notificationsByChannel(items);
    expect(groups.map((group) => [group.channel, group.pending.map((i) => i.notification_id), group.dead.map((i) => i.notification_id)])).toEqual([
      ['slack', ['b'], []],
      ['webhook:ops', ['c'], ['a']],
    ]);
    expect(notificationCells(items[0]!, NOW)).toEqual(['a', 'triggered', 'inc_00001', 'dead letter', '5', 'HTTP 400 Bad Request (10m ago)']);
    expect(notificationCells(items[2]!, NOW).slice(3)).toEqual(['pending', '2', 'timeout; next try in 30s']);
  });
});
