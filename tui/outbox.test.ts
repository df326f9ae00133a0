// The Silences and Notifications screens: the reducer's part (tui/outbox.ts) on its own, then the real TUI on a
// virtual terminal fed by the fixture daemon: the screens against reviewed snapshots at 80×24, 120×40 and 200×60 (and
// in ASCII; no colour under NO_COLOR), a silence created
// through the prompt and expired after y, a dead letter retried and another dropped (each confirm bound to the item
// it opened on), --read-only with no mutating key, and the incident screen's silenced_by and related incidents.

import { describe, expect, it } from 'vitest';
import type { NotificationJson } from '../api/notification.js';
import type { SilenceJson } from '../api/silence.js';
import { cascadeFixture, FIXTURE_NOW } from '../test/fixtures/tui-fixtures.js';
import type { FixtureData } from '../test/fixtures/fixture-client.js';
import { checkLayout, matchScreenSnapshots, visit } from '../test/helpers/tui-screens.js';
import { KEY, startTui } from '../test/helpers/tui-session.js';
import { decodeKeys } from './input.js';
import type { OutboxContext } from './outbox.js';
import { initialUiState, updateUi, type Effect, type UiContext, type UiResult, type UiState } from './ui-state.js';

// Colour on in chalk, so that the NO_COLOR test means something (chalk decides when first loaded, from the
// environment; a test runner's stdout is no terminal). runTui loads Ink, and chalk with it, after this line.
process.env.FORCE_COLOR = '3';

const at = (minutes: number) => new Date(FIXTURE_NOW + minutes * 60_000).toISOString();

function silence(id: string, overrides: Partial<SilenceJson> = {}): SilenceJson {
  return {
    silence_id: id,
    component: 'payments',
    incident_type: null,
    starts_at: at(-30),
    ends_at: at(90),
    comment: 'CHG-1234 database upgrade',
    created_by: 'ann',
    created_at: at(-30),
    expired_at: null,
    expired_by: null,
    active: true,
    ...overrides,
  };
}

function letter(id: string, overrides: Partial<NotificationJson> = {}): NotificationJson {
  return {
    notification_id: id,
    channel: 'webhook:ops-primary',
    kind: 'triggered',
    incident_id: 'inc_00123',
    state: 'dead',
    created_at: at(-10),
    attempts: 1,
    next_attempt_at: null,
    last_error: 'HTTP 400 Bad Request',
    failed_at: at(-9),
    reason: 'HTTP 400 Bad Request',
    ...overrides,
  };
}

function outboxData(): FixtureData {
  const data = cascadeFixture();
  data.silences = [
    silence('sil_00002', { component: 'checkout', incident_type: 'memory_exhaustion', comment: 'load test \u001b]52;c;aGk=\u0007', ends_at: at(240), created_by: 'alice.johnson' }),
    silence('sil_00003', { component: 'payments-gateway-eu-west-1', ends_at: at(100), comment: 'CHG-20931 database failover drill, expect connection resets' }),
    silence('sil_00001', { active: false, expired_at: at(-5), expired_by: 'bob', comment: 'done early' }),
  ];
  data.notifications = [
    letter('ntf_inc_00123_triggered_1796664672930000'),
    letter('ntf_inc_00124_triggered_1796664673150000', { incident_id: 'inc_00124', channel: 'slack', reason: 'channel_not_found' }),
    letter('ntf_inc_00124_escalated_1796664712840001', { incident_id: 'inc_00124', state: 'pending', failed_at: null, reason: null, next_attempt_at: at(1), last_error: 'HTTP 503' }),
  ];
  return data;
}

describe('the outbox reducer', () => {
  const outbox: OutboxContext = {
    silence: (key) => (key.startsWith('0/sil') ? { key, member: 0, silence_id: key.slice(2), display: key.slice(2) } : undefined),
    expirable: (key) => key === '0/sil_00002',
    notification: (key) => ({ key, member: 0, notification_id: key.slice(2), display: key.slice(2), dead: !key.includes('pending') }),
    deadLetters: 2,
    members: 1,
  };
  const context = (rows: string[], readOnly = false): UiContext => ({
    now: FIXTURE_NOW,
    readOnly,
    rows,
    pageSize: 5,
    paneLines: 0,
    incident: () => undefined,
    traces: () => [],
    rule: () => undefined,
    timelineTrace: () => undefined,
    outbox,
  });
  const type = (state: UiState, text: string, ctx: UiContext): UiResult => {
    let result: UiResult = { state, effects: [] };
    const effects: Effect[] = [];
    for (const key of decodeKeys(text, true).keys) {
      result = updateUi(result.state, { type: 'key', key }, ctx);
      effects.push(...result.effects);
    }
    return { state: result.state, effects };
  };

  it('creates a silence field by field, and keeps the prompt open on what is wrong', () => {
    const rows = ['0/sil_00002'];
    let result = type(initialUiState(), '5n', context(rows));
    expect(result.state.prompt).toMatchObject({ kind: 'new-silence', field: 'component' });
    result = type(result.state, '\r', context(rows));
    expect(result.state.prompt).toMatchObject({ field: 'component', error: 'name the component to silence' });
    result = type(result.state, 'payments\r', context(rows)); // component
    result = type(result.state, 'nope\r', context(rows)); // type
    expect(result.state.prompt).toMatchObject({ kind: 'new-silence', field: 'incident_type', error: 'not an incident type: nope (empty: every type)' });
    result = type(result.state, '\u0015' + '\r', context(rows)); // Ctrl-U: every type
    result = type(result.state, '\u0015' + 'soon\r', context(rows)); // length
    expect(result.state.prompt).toMatchObject({ kind: 'new-silence', field: 'length', error: 'how long: a duration (30m, 2h, 1d) or an ISO-8601 time' });
    result = type(result.state, '\u0015' + '90m\r', context(rows));
    result = type(result.state, ' \r', context(rows)); // a blank comment
    expect(result.effects).toEqual([]);
    expect(result.state.prompt).toMatchObject({ kind: 'new-silence', field: 'comment', error: 'say why in the comment (it is kept with the silence)' });
    // Esc leaves without creating anything
    expect(type(result.state, '\u001b', context(rows)).state).toMatchObject({ prompt: null, message: { text: 'cancelled: no silence created' } });

    let good = type(initialUiState(), '5n', context(rows));
    good = type(good.state, 'payments\r\r\r', context(rows)); // any type, the default 2h
    good = type(good.state, 'CHG-9 db\r', context(rows));
    expect(good.state.prompt).toBeNull();
    expect(good.effects).toEqual([{ type: 'create-silence', member: 0, request: { component: 'payments', comment: 'CHG-9 db', duration_seconds: 7200 } }]);
  });

  it('binds each confirm to the item it opened on; y runs it, anything meaning no does not', () => {
    const rows = ['0/sil_00002', '0/sil_00001'];
    const opened = type(initialUiState(), '5x', context(rows));
    expect(opened.state.prompt).toMatchObject({ kind: 'expire-silence', silence: { silence_id: 'sil_00002' } });
    // the list changes under the prompt: the confirm still names sil_00002
    expect(type(opened.state, 'y', context(['0/sil_00001'])).effects).toEqual([{ type: 'expire-silence', silence: expect.objectContaining({ silence_id: 'sil_00002' }) }]);
    for (const no of ['n', '\r', '\u001b']) expect(type(opened.state, no, context(rows)).effects).toEqual([]);
    expect(type(initialUiState(), '5jx', context(rows)).state.message).toEqual({ text: 'sil_00001 is not in force: nothing to expire', kind: 'info' });

    const letters = ['0/ntf_a', '0/ntf_pending'];
    expect(type(initialUiState(), '6ry', context(letters)).effects).toEqual([{ type: 'retry-notification', notification: expect.objectContaining({ notification_id: 'ntf_a' }) }]);
    expect(type(initialUiState(), '6dy', context(letters)).effects).toEqual([{ type: 'drop-notification', notification: expect.objectContaining({ notification_id: 'ntf_a' }) }]);
    expect(type(initialUiState(), '6jd', context(letters)).state.prompt).toBeNull(); // a pending one is not dropped
    expect(type(initialUiState(), '6Ry', context(letters)).effects).toEqual([{ type: 'retry-all-dead' }]);
  });

  it('has no mutating key with --read-only', () => {
    for (const keys of ['5n', '5x', '6r', '6R', '6d']) {
      const result = type(initialUiState(), keys, context(['0/sil_00002', '0/ntf_a'], true));
      expect(result.state.prompt, keys).toBeNull();
      expect(result.effects, keys).toEqual([]);
    }
  });
});

/** The outbox screens, each reached from the overview by these keys (as test/helpers/tui-screens.ts's SCREENS). */
const OUTBOX_SCREENS: Array<[name: string, keys: string[]]> = [
  ['silences', ['5']],
  ['silence-new', ['5', 'n', 'payments\r', '\r']],
  ['silence-expire', ['5', 'x']],
  ['notifications', ['6']],
  ['notification-retry', ['6', 'r']],
];

describe.each([
  [80, 24],
  [120, 40],
  [200, 60],
])('the Silences and Notifications screens at %i×%i', (columns, rows) => {
  it('match the reviewed snapshots', { timeout: 60_000 }, async () => {
    await matchScreenSnapshots(OUTBOX_SCREENS, { columns, rows, data: outboxData() });
  });
});

describe('the Silences and Notifications screens', () => {
  it('--ascii: no byte above 0x7F, and they still read', { timeout: 60_000 }, async () => {
    const session = await startTui({ data: outboxData(), ascii: true });
    try {
      for (const [name, keys] of OUTBOX_SCREENS) {
        await visit(session, keys);
        checkLayout(session);
        if (name === 'silences' || name === 'notifications') await expect(session.screen()).toMatchFileSnapshot(`__screens__/ascii-80x24/${name}.txt`);
      }
    } finally {
      await session.quit();
    }
    expect(Buffer.from(session.terminal.written(), 'utf8').every((byte) => byte <= 0x7f)).toBe(true);
  });

  it('NO_COLOR: no colour (dead letters and ended silences included), the selection still shows', { timeout: 60_000 }, async () => {
    const coloured = await startTui({ data: outboxData() });
    await coloured.press('6');
    expect(coloured.terminal.written()).toMatch(/\u001b\[(3[0-7]|9[0-7]|38;)[0-9;]*m(\u001b\[[0-9;]*m)*dead/); // colour is on in this run
    await coloured.quit();
    const session = await startTui({ data: outboxData(), env: { TERM: 'xterm-256color', NO_COLOR: '1' } });
    try {
      for (const [, keys] of OUTBOX_SCREENS) await visit(session, keys);
      await visit(session, ['6', 'j']);
      expect(session.screen()).toMatch(/› webhook:ops-primary +inc_00124 +pending/);
    } finally {
      await session.quit();
    }
    const written = session.terminal.written();
    expect(written).not.toMatch(/\u001b\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m/);
    expect(written).toContain('\u001b[7m'); // inverse
  });

  it('creates and expires a silence, retries one dead letter and drops another, each under the actor', { timeout: 60_000 }, async () => {
    const session = await startTui({ columns: 120, rows: 40, data: outboxData() });
    try {
      await session.press('5', 'n');
      for (const text of ['payments\r', 'error_burst\r', '\u0015', '45m\r', 'CHG-77 failover drill\r']) await session.type(text);
      expect(session.daemon.calls.filter((call) => call.method === 'createSilence').map((call) => call.request)).toEqual([
        { actor: 'tester', component: 'payments', incident_type: 'error_burst', duration_seconds: 2700, comment: 'CHG-77 failover drill' },
      ]);
      expect(session.screen()).toMatch(/sil_00004 +component=payments type=error_burst +12:45Z \(in 45m\) +tester +CHG-77 failover drill/);

      await session.press('g', 'x', 'y'); // the new one sorts first (ends soonest); the selection stayed on its row
      expect(session.screen()).toMatch(/sil_00004 +component=payments type=error_burst +expired 12:00Z by tester/);
      expect(session.screen()).toContain('sil_00004 expired by tester');

      await session.press('6', 'r', 'y');
      expect(session.daemon.calls.filter((call) => call.method === 'retryNotifications').map((call) => call.request)).toEqual([
        { notification_ids: ['ntf_inc_00124_triggered_1796664673150000'], actor: 'tester' },
      ]);
      expect(session.screen()).toContain('ntf_inc_00124_triggered_1796664673150000 back in the outbox');
      await session.press('G', 'd', 'y');
      expect(session.daemon.calls.filter((call) => call.method === 'dropNotification').map((call) => call.request)).toEqual([
        { notification_id: 'ntf_inc_00123_triggered_1796664672930000', actor: 'tester' },
      ]);
      expect(session.screen()).not.toMatch(/ntf_inc_00123_triggered_1796664672930000 +triggered/);
    } finally {
      await session.quit();
    }
  });

  it('with --read-only lists them and offers no change', { timeout: 30_000 }, async () => {
    const session = await startTui({ columns: 120, rows: 40, data: outboxData(), readOnly: true });
    try {
      await session.press('5', 'n', 'x');
      expect(session.screen()).toContain('sil_00002');
      expect(session.screen()).not.toMatch(/New silence|Expire sil/);
      await session.press('6', 'r', 'R', 'd');
      expect(session.screen()).toContain('ntf_inc_00123_triggered_1796664672930000');
      expect(session.screen()).not.toMatch(/Retry|Drop /);
      expect(session.daemon.calls.map((call) => call.method)).not.toEqual(expect.arrayContaining(['createSilence', 'expireSilence', 'retryNotifications', 'dropNotification']));
    } finally {
      await session.quit();
    }
  });

  it('shows on the incident screen the silence holding it and its related incidents', { timeout: 30_000 }, async () => {
    const data = outboxData();
    Object.assign(data.incidents[0]!, { silenced_by: 'sil_00002', related_incidents: ['inc_00124'] });
    const session = await startTui({ columns: 120, rows: 40, data });
    try {
      await session.press('2', KEY.enter);
      expect(session.screen()).toMatch(/silenced by +sil_00002: not notified, no automatic action/);
      expect(session.screen()).toMatch(/related +inc_00124/);
    } finally {
      await session.quit();
    }
  });
});
