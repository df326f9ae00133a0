// The terminal UI end to end: the built `firewatch tui` in a real pty against the real daemon, fed by the real
// OpenTelemetry SDK with a three-service cascade. The incident appears without a key press; the operator drills into
// it and its trace, acknowledges, runs a medium-risk action with an approval (a wrong incident id refused first),
// resolves; the daemon is killed with -9 and restarted while the TUI runs (it reconnects and new incidents appear);
// q gives the terminal back. And `firewatch` with no command in a terminal is the daemon and the TUI together.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportCascade, exportSpans, type CascadeHop } from '../helpers/otel-sdk.js';
import { CLI, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { spawnFirewatch, spawnInTerminal, type PtyTui } from '../helpers/pty-terminal.js';
import { GIVE_BACK } from '../../tui/terminal.js';

type Json = Record<string, any>;

const CASCADE: CascadeHop[] = [
  { service: 'frontend', name: 'GET /checkout', error: 'checkout returned 502', attributes: { 'http.response.status_code': 502 } },
  { service: 'checkout', name: 'POST /api/pay', error: 'payments returned 500', attributes: { 'http.response.status_code': 500 } },
  { service: 'payments', name: 'charge card', error: 'card gateway timed out', attributes: { 'http.response.status_code': 500, 'payment.provider': 'acme-cards' } },
];

function config(workspace: string): string {
  return writeConfig(
    workspace,
    [
      'processors:',
      '  detect:',
      '    rules:',
      '      error_burst: { time_window_seconds: 30, check_interval_seconds: 1 }',
      'remediation:',
      '  auto_remediate: false',
      '  actions:',
      `    - { id: restart_service, command: [${JSON.stringify(process.execPath)}, "-e", "process.exit(0)"] }`,
    ].join('\n'),
  );
}

async function incident(daemon: DaemonProcess, id: string): Promise<Json> {
  const result = await runCli(['incidents', 'get', id, '--full', '--socket', daemon.socket, '--format', 'json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Json;
}

/** Moves the mitigate list's selection to `action` (the order is the daemon's), once the list is on screen. */
async function select(tui: PtyTui, action: string): Promise<void> {
  const screen = await tui.waitFor(/Action\s+Risk\s+Status[\s\S]*›/);
  const rows = screen.split('\n');
  const header = rows.findIndex((line) => /Action\s+Risk\s+Status/.test(line));
  const target = rows.findIndex((line, i) => i > header && new RegExp(`^[ ›] ${action}\\b`).test(line));
  const selected = rows.findIndex((line, i) => i > header && line.startsWith('›'));
  if (target < 0) throw new Error(`${action} is not in the list:\n${screen}`);
  tui.type((target > selected ? 'j' : 'k').repeat(Math.abs(target - selected)));
  await tui.waitFor(new RegExp(`› ${action}\\b`));
}

describe('firewatch tui against the real daemon', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let tui: PtyTui | undefined;

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    tui?.kill();
    tui = undefined;
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('follows an outage live, drills down, acts with approval, survives kill -9, and gives the terminal back', { timeout: 120_000 }, async () => {
    const configFile = config(workspace);
    daemon = await startDaemon(workspace, configFile);
    tui = spawnFirewatch(['tui', '--socket', daemon.socket, '--as', 'tester']);
    await tui.waitFor('● live');
    expect(tui.alternateScreen()).toBe(true);

    // The incident appears without a key press.
    await exportCascade(daemon.otlpEndpoint, CASCADE, 12);
    await tui.waitFor(/› inc_00001 .*CRITICAL|› inc_00001 .*HIGH/);

    // Into the incident: its root cause and root span; into its trace: the failing spans, the root cause singled out.
    tui.type('\r');
    await tui.waitFor(/root span\s+payments "charge card"/);
    tui.type('t');
    const waterfall = await tui.waitFor(/✗ frontend GET \/checkout/);
    expect(waterfall).toMatch(/✗ checkout POST \/api\/pay/);
    expect(waterfall).toMatch(/◆\s+✗ payments charge card/);
    // The root-cause span's attributes as the SDK sent them, in its detail (the last row; the detail scrolled to its end).
    tui.type('G');
    await tui.waitFor(/── payments charge card/);
    tui.type('\tG');
    await tui.waitFor(/payment\.provider\s+acme-cards/);
    tui.type('\t');
    tui.type('\u001b');
    await tui.waitFor('[Summary]');

    // Acknowledge, as the actor.
    tui.type('a');
    await tui.waitFor('acknowledged inc_00001 as tester');
    expect(await incident(daemon, 'inc_00001')).toMatchObject({ acknowledged: true, acknowledged_by: 'tester' });

    // A medium-risk action: the approver, then the incident id; a wrong id is refused and nothing runs.
    tui.type('m');
    await tui.waitFor('Mitigate inc_00001');
    await select(tui, 'restart_service');
    tui.type('\r');
    await tui.waitFor('Approver’s name');
    tui.type('alice\r');
    await tui.waitFor('Type inc_00001 to run restart_service approved by alice');
    tui.type('inc_00002\r');
    await tui.waitFor('“inc_00002” is not inc_00001: not run');
    expect(((await incident(daemon, 'inc_00001')).audit as Json[]).some((entry) => entry.kind === 'succeeded')).toBe(false);
    tui.type('inc_00001\r');
    await tui.waitFor(/inc_00001: restart_service succeeded \(approved by alice\)/);
    const audited = (await incident(daemon, 'inc_00001')).audit as Json[];
    expect(audited).toContainEqual(expect.objectContaining({ action_id: 'restart_service', kind: 'succeeded', actor: 'tester', approved_by: 'alice' }));
    tui.type('\t\t');
    tui.type('G');
    await tui.waitFor(/restart_service succeeded by tester \(approved by alice\)/);

    // Resolve, with notes.
    tui.type('r');
    await tui.waitFor('Notes (optional)');
    tui.type('restarted the card gateway client\r');
    await tui.waitFor('resolved inc_00001');
    expect(await incident(daemon, 'inc_00001')).toMatchObject({ status: 'resolved' });

    // The daemon dies (kill -9) and comes back: the TUI waits, reconnects, and shows what is new.
    await daemon.kill9();
    await tui.waitFor('reconnecting');
    daemon = await startDaemon(workspace, configFile);
    await tui.waitFor('● live', 30_000);
    tui.type('2');
    await exportSpans(daemon.otlpEndpoint, 'search', errorSpans(12));
    await tui.waitFor('inc_00002', 30_000);

    // q: the terminal as it was.
    tui.type('q');
    expect(await tui.exit).toBe(0);
    expect(tui.alternateScreen(), `the terminal's last output: ${JSON.stringify(tui.output().slice(-120))}`).toBe(false);
    expect(tui.output().endsWith(GIVE_BACK)).toBe(true);
  });

  it('Ctrl-Z in a shell: stopped with the terminal given back, fg brings it back drawn whole; no job control: not stopped', { timeout: 60_000 }, async () => {
    daemon = await startDaemon(workspace, config(workspace));
    // An interactive shell with job control, as over SSH: the command typed into it.
    tui = spawnInTerminal('bash', ['--norc', '--noprofile', '-i'], { env: { PS1: 'shell$ ' } });
    await tui.waitFor('shell$');
    tui.type(`${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} tui --socket ${JSON.stringify(daemon.socket)}\r`);
    const before = await tui.waitFor('● live');
    tui.type('\u001a');
    await tui.waitFor(/Stopped/);
    expect(tui.alternateScreen(), `the terminal's last output: ${JSON.stringify(tui.output().slice(-120))}`).toBe(false);
    const stopped = await runCli(['incidents', 'list', '--socket', daemon.socket]); // the daemon is not held up
    expect(stopped.code).toBe(0);
    tui.type('fg\r');
    const after = await tui.waitFor('● live');
    expect(tui.alternateScreen()).toBe(true);
    expect(after.split('\n')[0]).toBe(before.split('\n')[0]);
    tui.type('q');
    await tui.waitFor('shell$');
    expect(tui.alternateScreen(), `the terminal's last output: ${JSON.stringify(tui.output().slice(-120))}`).toBe(false);
    tui.type('exit\r');
    await tui.exit;

    // Alone in a pty (no shell: nobody to continue it), the stop is discarded and the TUI takes its terminal back.
    tui = spawnFirewatch(['tui', '--socket', daemon.socket]);
    await tui.waitFor('● live');
    tui.type('\u001a');
    await tui.waitFor('not suspended: no job control here');
    expect(tui.alternateScreen()).toBe(true);
    tui.type('q');
    expect(await tui.exit).toBe(0);
  });

  it('`firewatch` with no command in a terminal: the daemon and the TUI in one process, q stops both', { timeout: 60_000 }, async () => {
    config(workspace);
    tui = spawnFirewatch([], { cwd: workspace });
    await tui.waitFor('● live');
    // The message line is one line at 80 columns: the log's path comes first so that it is the part shown.
    const screen = await tui.waitFor(/daemon up, its log is /);
    expect(screen.replace(/\n/g, '')).toContain(`daemon up, its log is ${join(workspace, 'data', 'firewatch.log')}`);
    // Ctrl-Z would stop the daemon with the UI: refused, said, and the TUI keeps its terminal.
    tui.type('\u001a');
    await tui.waitFor('not suspended: the daemon runs in this process');
    expect(tui.alternateScreen()).toBe(true);
    tui.type('q');
    expect(await tui.exit).toBe(0);
    expect(tui.alternateScreen(), `the terminal's last output: ${JSON.stringify(tui.output().slice(-120))}`).toBe(false);
    expect(existsSync(join(workspace, 'data', 'firewatch.log'))).toBe(true);
  });
});
