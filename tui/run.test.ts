// runTui as an operator meets it: every way out gives the terminal back, a daemon that goes away is waited for,
// actions reach the daemon with the actor, prompts refuse what they must, nothing is written while nothing changes.
// Against the in-memory fixture daemon; the same paths against the real daemon are in test/e2e/tui.test.ts.

import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ControlClient } from '../api/client.js';
import { FixtureDaemon } from '../test/fixtures/fixture-client.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import { FIXTURE_NOW, cascadeFixture } from '../test/fixtures/tui-fixtures.js';
import { KEY, startTui, type TuiSession } from '../test/helpers/tui-session.js';
import { until } from '../test/helpers/virtual-terminal.js';
import { runTui } from './run.js';
import { GIVE_BACK } from './terminal.js';

async function expectTerminalGivenBack(session: TuiSession): Promise<void> {
  await session.terminal.flush();
  expect(session.terminal.alternateScreen).toBe(false);
  expect(session.terminal.written().endsWith(GIVE_BACK)).toBe(true);
  expect(session.terminal.stdin.isRaw).toBe(false);
  expect(session.daemon.watching).toBe(0); // the watch stream was cancelled
}

describe('every way out gives the terminal back', () => {
  it.each([
    ['q', (session: TuiSession) => session.terminal.stdin.type('q'), 0],
    ['Ctrl-C', (session: TuiSession) => session.terminal.stdin.type(KEY.ctrlC), 0],
    ['SIGTERM', (session: TuiSession) => session.host.emit('SIGTERM'), 143],
    ['SIGHUP (the SSH session ended)', (session: TuiSession) => session.host.emit('SIGHUP'), 129],
  ])('%s', async (_name, leave, code) => {
    const session = await startTui();
    expect(session.terminal.alternateScreen).toBe(true);
    expect(session.terminal.stdin.isRaw).toBe(true);
    leave(session);
    expect(await session.exit).toBe(code);
    await expectTerminalGivenBack(session);
  });

  it('an error: the terminal first, then the error on stderr, exit 1', async () => {
    const session = await startTui();
    session.host.emit('uncaughtException', new Error('boom'));
    expect(await session.exit).toBe(1);
    await expectTerminalGivenBack(session);
    expect(session.stderr.join('')).toContain('boom');
  });

  it('Ctrl-Z gives the terminal back and stops; SIGCONT takes it again and draws the screen whole', async () => {
    const session = await startTui();
    await session.press('2');
    const screen = session.screen();
    session.terminal.stdin.type(KEY.ctrlZ);
    await until(() => session.suspensions === 1, 3_000, 'the TUI to stop itself');
    await session.terminal.flush();
    expect(session.terminal.alternateScreen).toBe(false);
    expect(session.terminal.written().endsWith(GIVE_BACK)).toBe(true);
    expect(session.terminal.stdin.isRaw).toBe(false);
    const mark = session.terminal.stdout.chunks.length;
    session.host.emit('SIGCONT');
    await session.settle();
    expect(session.terminal.alternateScreen).toBe(true);
    expect(session.terminal.stdin.isRaw).toBe(true);
    expect(session.terminal.written(mark)).toContain('Incidents  4 known'); // repainted, not only what changed
    expect(session.screen()).toBe(screen);
    await session.quit();
  });

  it('Ctrl-Z without job control (the stop signal discarded): the terminal taken back, and says why', async () => {
    const session = await startTui({ noJobControl: true });
    await session.type(KEY.ctrlZ);
    expect(session.suspensions).toBe(1);
    expect(session.terminal.alternateScreen).toBe(true);
    expect(session.terminal.stdin.isRaw).toBe(true);
    expect(session.screen()).toContain('not suspended: no job control here');
    expect(session.screen()).toContain('Active incidents (3)');
    await session.quit();
  });

  it('Ctrl-Z with the daemon in the same process: not stopped, and says why', async () => {
    const session = await startTui({ suspendable: false });
    await session.type(KEY.ctrlZ);
    expect(session.suspensions).toBe(0);
    expect(session.terminal.alternateScreen).toBe(true);
    expect(session.screen()).toContain('the daemon runs in this process');
    await session.quit();
  });

  it('returns even when closing the watch stream hangs', async () => {
    const daemon = new FixtureDaemon(cascadeFixture(), () => FIXTURE_NOW);
    const client = daemon.client();
    const stuck: ControlClient = { ...client, watch: (request, onMessage) => ({ ...client.watch(request, onMessage), done: new Promise(() => undefined) }) };
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
    const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 80, rows: 24 });
    stdout.resume();
    const exit = runTui({ clients: [stuck], readOnly: false, ascii: false, actor: 't', stdin, stdout, stderr: process.stderr, env: { TERM: 'xterm' }, host: new PassThrough() });
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    stdin.write('q');
    expect(await exit).toBe(0);
  });
});

describe('live', () => {
  it('shows a new incident without a key press, and writes nothing while nothing changes', async () => {
    const session = await startTui();
    await session.press('2');
    const before = session.terminal.stdout.bytes;
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    expect(session.terminal.stdout.bytes).toBe(before);
    session.daemon.open(incidentJson('inc_00126', { severity: 'critical', title: 'Service Down - ledger', detected_at: new Date(FIXTURE_NOW).toISOString() }));
    await session.settle();
    expect(session.screen()).toContain('inc_00126');
    // The selection stayed on the incident it was on although a row arrived above it.
    expect(session.screen()).toMatch(/› inc_00123/);
    expect(session.terminal.stdout.bytes - before).toBeLessThan(2_000);
    await session.quit();
  });

  it('shows reconnecting while the daemon is away, never exits, and resyncs when it is back', async () => {
    const session = await startTui();
    session.daemon.goAway();
    await until(() => session.screen().includes('reconnecting'), 3_000, 'reconnecting in the header');
    expect(session.screen()).toMatch(/unix:\/fixture\/d-7f3a\.sock: .*; retrying \(attempt \d+\)/);
    session.daemon.comeBack();
    session.daemon.open(incidentJson('inc_00130', { detected_at: new Date(FIXTURE_NOW).toISOString() }));
    await until(() => session.screen().includes('● live') && session.screen().includes('Active incidents (4)'), 10_000, 'live again with the new incident');
    await session.quit();
  });

  it('names each incident by its daemon in a fleet, and acts on the daemon that owns it', async () => {
    const second = cascadeFixture();
    second.daemon_id = 'd-other';
    second.incidents = [incidentJson('inc_00001', { severity: 'critical', detected_at: new Date(FIXTURE_NOW - 60_000).toISOString() })];
    const session = await startTui({ fleet: [cascadeFixture(), second] });
    await session.press('2');
    expect(session.screen()).toContain('d2/inc_00001');
    expect(session.screen()).toContain('2/2 live');
    await session.type('a');
    expect(session.daemons[1]!.calls.filter((call) => call.method === 'updateIncident')).toEqual([
      { method: 'updateIncident', request: { actor: 'tester', incident_id: 'inc_00001', acknowledge: true } },
    ]);
    expect(session.daemon.calls.some((call) => call.method === 'updateIncident')).toBe(false);
    await session.quit();
  });
});

describe('acting on incidents', () => {
  it('acknowledges as the actor and says so', async () => {
    const session = await startTui();
    await session.type('a');
    expect(session.daemon.calls.find((call) => call.method === 'updateIncident')?.request).toEqual({ actor: 'tester', incident_id: 'inc_00123', acknowledge: true });
    expect(session.screen()).toContain('acknowledged inc_00123 as tester');
    expect(session.screen()).toContain('unack 1');
    await session.quit();
  });

  it('runs a high-risk action only with an approver and the incident id; a wrong id is refused; the audit shows it', async () => {
    const session = await startTui();
    await session.press('2', KEY.enter, 'm', 'j', KEY.enter, 'carol\r', 'inc_00124\r');
    expect(session.screen()).toContain('“inc_00124” is not inc_00123: not run');
    expect(session.daemon.calls.some((call) => call.method === 'mitigate')).toBe(false);
    await session.type('inc_00123\r');
    expect(session.daemon.calls.find((call) => call.method === 'mitigate')?.request).toEqual({
      actor: 'tester',
      incident_id: 'inc_00123',
      action_id: 'restart_service',
      approved_by: 'carol',
    });
    expect(session.screen()).toContain('inc_00123: restart_service succeeded (approved by carol): exit 0');
    await session.press(KEY.tab, KEY.tab, 'G');
    expect(session.screen()).toMatch(/restart_service succeeded by tester \(approved by carol\)/);
    await session.quit();
  });

  it('runs a safe action after y, not after Enter', async () => {
    const session = await startTui();
    await session.press('m', KEY.enter, KEY.enter);
    expect(session.daemon.calls.some((call) => call.method === 'mitigate')).toBe(false);
    await session.press('m', KEY.enter, 'y');
    expect(session.daemon.calls.find((call) => call.method === 'mitigate')?.request).toEqual({ actor: 'tester', incident_id: 'inc_00123', action_id: 'clear_cache' });
    await session.quit();
  });

  it('resolves with notes; a refused close shows as one line and the TUI goes on', async () => {
    const session = await startTui();
    await session.press('2', 'jj', 'c', 'y');
    expect(session.screen()).toContain('could not close inc_00125: only a resolved incident can be closed');
    await session.press('r', 'restarted the pool\r');
    expect(session.daemon.calls.find((call) => call.method === 'resolveIncident')?.request).toEqual({ actor: 'tester', incident_id: 'inc_00125', notes: 'restarted the pool' });
    expect(session.screen()).toContain('resolved inc_00125');
    await session.quit();
  });

  it('exports the post-mortem to a file and says where', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'firewatch-tui-'));
    const session = await startTui({ exportDirectory: directory });
    await session.type('e');
    const path = join(directory, 'postmortem-inc_00123.md');
    expect(session.screen()).toContain('post-mortem of inc_00123 written to /');
    expect(readFileSync(path, 'utf8')).toContain('# Post-mortem: Error Burst - checkout');
    await session.quit();
  });

  it('a long message takes one line, cut with an ellipsis; the help has it in full', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'firewatch-tui-')), 'a-directory-with-a-name-long-enough-to-push-the-message-past-two-lines-of-an-80-column-terminal');
    mkdirSync(directory);
    const session = await startTui({ exportDirectory: directory });
    await session.type('e');
    const rows = session.screen().split('\n');
    const said = rows.findIndex((row) => row.includes('post-mortem of inc_00123 written to'));
    expect(said).toBe(rows.length - 3); // the message line, then the footer, then the row Ink keeps empty
    expect(rows[said]!.trimEnd().endsWith('…')).toBe(true);
    await session.press('?', 'G');
    const path = join(directory, 'postmortem-inc_00123.md');
    expect(session.screen().replace(/\s+/g, '')).toContain(`writtento${path}`);
    await session.quit();
  });

  it('enables and disables a rule after y', async () => {
    const session = await startTui();
    await session.press('4', 'jjj', KEY.space);
    expect(session.screen()).toContain('Enable rule api_rate_limit (API Rate Limit)? y/N');
    await session.type('y');
    expect(session.daemon.calls.find((call) => call.method === 'setRulesEnabled')?.request).toEqual({ actor: 'tester', rule_ids: ['api_rate_limit'], enabled: true });
    expect(session.screen()).toContain('rule api_rate_limit enabled');
    await session.quit();
  });

  it('--read-only: no mutating key in the footer or the help, and none does anything', async () => {
    const session = await startTui({ readOnly: true });
    await session.press('2', KEY.enter);
    expect(session.screen()).not.toMatch(/a ack|m mitigate|r resolve/);
    await session.press('a', 'm', 's', 'r', 'c', '4', KEY.space);
    const mutations = session.daemon.calls.filter((call) => ['updateIncident', 'mitigate', 'resolveIncident', 'closeIncident', 'setRulesEnabled'].includes(call.method));
    expect(mutations).toEqual([]);
    await session.press('?');
    expect(session.screen()).not.toContain('Acknowledge');
    await session.quit();
  });
});

describe('without a terminal', () => {
  it('prints incident changes as lines', async () => {
    const daemon = new FixtureDaemon(cascadeFixture(), () => FIXTURE_NOW);
    const out: string[] = [];
    const host = new PassThrough();
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    const exit = runTui({
      clients: [daemon.client()],
      readOnly: false,
      ascii: false,
      actor: 't',
      stdin,
      stdout: Object.assign(new PassThrough(), { isTTY: false, write: (text: string) => out.push(text) }),
      stderr: process.stderr,
      env: { TERM: 'xterm' },
      host,
    });
    await until(() => out.join('').includes('3 open incidents'), 3_000, 'the open incidents');
    daemon.change('inc_00125', { status: 'investigating' }, 'changed', 'status detected → investigating');
    await until(() => out.join('').includes('inc_00125'), 3_000, 'the change');
    host.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(out[0]).toContain('standard output is not a terminal');
    expect(out.join('')).toMatch(/CHANGED\s+inc_00125 MEDIUM\s+memory_exhaustion \[investigating\]/);
  });
});
