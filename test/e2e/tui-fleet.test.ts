// The terminal UI attached to a fleet over the remote control door: three daemons on loopback (TLS with a CA made
// here, bearer tokens with roles), each fed one service's telemetry through the real SDK (the Collector's
// load_balancing exporter routing by service, played by the test), and the built `firewatch tui --connect a,b,c` in a
// real pty. It shows the three incidents named by daemon, acts on the daemon that owns one, names a daemon that went
// down while the others stay live, and refuses a bad token or an unreachable daemon in one line, before taking the
// terminal.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, type DaemonProcess } from '../helpers/daemon-process.js';
import { spawnFirewatch, type PtyTui } from '../helpers/pty-terminal.js';
import { startFleetMember } from '../helpers/fleet-member.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

const OPERATOR = 'fleet-operator-2b4d6f8a0c2e4b6d8f0a';
const VIEWER = 'fleet-viewer-9e7c5a3b1d9f7e5c3a1b';
const SERVICES = ['inventory', 'checkout', 'search'];

type Listed = { incident_id: string; affected_components: string[]; acknowledged: boolean };

describe('firewatch tui --connect: a fleet over the remote door', () => {
  let workspace: string;
  let pki: TestPki;
  const daemons: DaemonProcess[] = [];
  const tuis: PtyTui[] = [];

  beforeEach(() => {
    workspace = makeWorkspace();
    pki = makeTestPki(workspace);
  });
  afterEach(async () => {
    for (const tui of tuis.splice(0)) tui.kill();
    for (const daemon of daemons.splice(0)) await daemon.kill9();
    removeWorkspace(workspace);
  });

  const startMember = (name: string): Promise<DaemonProcess> =>
    startFleetMember(
      workspace,
      name,
      pki,
      [
        { name: 'oncall', role: 'operator', token: OPERATOR },
        { name: 'wall', role: 'viewer', token: VIEWER },
      ],
      ['processors:', '  detect:', '    rules:', '      error_burst: { time_window_seconds: 30, check_interval_seconds: 1 }'],
    );

  function tuiOf(addresses: readonly string[], token: string, extra: readonly string[] = []): PtyTui {
    const tui = spawnFirewatch(['tui', '--connect', addresses.join(','), '--ca', pki.caFile, ...extra], { columns: 120, rows: 30, env: { FIREWATCH_TOKEN: token } });
    tuis.push(tui);
    return tui;
  }

  it('shows every daemon’s incidents live, acts on the owner, names a daemon that went down, and refuses clearly', { timeout: 120_000 }, async () => {
    for (const name of ['a', 'b', 'c']) daemons.push(await startMember(name));
    const addresses = daemons.map((daemon) => daemon.controlEndpoint);
    const tui = tuiOf(addresses, OPERATOR);
    await tui.waitFor('3/3 live');
    tui.type('2');
    await tui.waitFor('Incidents');

    // The Collector's part: each service to the daemon it would route it to. The incidents appear without a key.
    await Promise.all(SERVICES.map((service, index) => exportSpans(daemons[index]!.otlpEndpoint, service, errorSpans(12))));
    const listed = await tui.waitFor(/^(?=[\s\S]*d1\/inc_00001)(?=[\s\S]*d2\/inc_00001)(?=[\s\S]*d3\/inc_00001)/, 30_000);
    for (const [index, service] of SERVICES.entries()) expect(listed).toMatch(new RegExp(`d${index + 1}/inc_00001 .*${service}`));

    // Acknowledge checkout's incident: it goes to b, the daemon that owns it, and only that one changes.
    tui.type('/checkout\r');
    await tui.waitFor(/› d2\/inc_00001/);
    tui.type('a');
    await tui.waitFor('acknowledged d2/inc_00001');
    const cli = (...args: string[]) => runCli([...args, '--connect', addresses.join(','), '--ca', pki.caFile], { env: { FIREWATCH_TOKEN: OPERATOR } });
    const acknowledged = await eventually(async () => {
      const incidents = JSON.parse((await cli('incidents', 'list', '--format', 'json')).stdout || '[]') as Listed[];
      const ids = incidents.filter((incident) => incident.acknowledged).map((incident) => incident.incident_id);
      return ids.length > 0 ? ids : undefined;
    });
    expect(acknowledged).toEqual(['d2/inc_00001']);
    tui.type(':clear\r');
    await tui.waitFor('Incidents  3 known');

    // c goes down: the header names it, a and b stay live and listed.
    await daemons[2]!.kill9();
    const partial = await tui.waitFor('2/3 live, d3 reconnecting', 20_000);
    expect(partial).toContain('d1/inc_00001');
    expect(partial).toContain('d2/inc_00001');
    tui.type('q');
    expect(await tui.exit).toBe(0);
    expect(tui.alternateScreen(), `the terminal's last output: ${JSON.stringify(tui.output().slice(-120))}`).toBe(false);

    // Started while c is down: the others are shown, c named in the header and on the message line.
    const without = tuiOf(addresses, OPERATOR);
    await without.waitFor(`not answering: d3 (${addresses[2]}); the others are shown`);
    // The header follows the member's state; the message may come a frame before it.
    await without.waitFor('2/3 live, d3 reconnecting');
    without.type('q');
    expect(await without.exit).toBe(0);

    // A viewer's token looks but may not act: the daemon's refusal is said, nothing changes.
    const viewer = tuiOf([addresses[0]!], VIEWER);
    await viewer.waitFor(/› inc_00001/);
    viewer.type('a');
    await viewer.waitFor('forbidden: wall is a viewer and may not update incident');
    viewer.type('q');
    expect(await viewer.exit).toBe(0);

    // Refusals before the terminal is taken: one line, exit 1, the screen never switched.
    const refusals: Array<[readonly string[], string, RegExp]> = [
      [[addresses[0]!], 'not-the-token-at-all-0000000000', /^firewatch: unauthenticated: the token is not valid\r?\n$/],
      [addresses, 'not-the-token-at-all-0000000000', new RegExp(`^firewatch: d1 \\(${addresses[0]!.replace(/\./g, '\\.')}\\): unauthenticated: the token is not valid\\r?\\n$`)],
      [[addresses[2]!], OPERATOR, /^firewatch: no firewatch daemon is answering at 127\.0\.0\.1:\d+\r?\n$/],
    ];
    for (const [connect, token, line] of refusals) {
      const refused = tuiOf(connect, token);
      expect(await refused.exit).toBe(1);
      expect(refused.output()).toMatch(line);
    }
    const untrusted = spawnFirewatch(['tui', '--connect', addresses[0]!], { env: { FIREWATCH_TOKEN: OPERATOR } });
    tuis.push(untrusted);
    expect(await untrusted.exit).toBe(1);
    expect(untrusted.output()).toMatch(/^firewatch: cannot verify the TLS certificate of the firewatch daemon at 127\.0\.0\.1:\d+ \(pass --ca FILE/);
  });
});
