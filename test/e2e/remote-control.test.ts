// The control API's remote door end to end: TLS with a CA made here, bearer tokens with roles, the token's name as
// the actor, clear refusals, token files re-read on SIGHUP, and no token ever written anywhere.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { CLI, eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

const ALICE = 'op-3f9c1a7e5b2d4f6a8c0e1b3d5f7a9c1e';
const WALL = 'view-7b1d3f5a9c2e4b6d8f0a1c3e5b7d9f1a';
const WALL_ROTATED = 'view-rotated-0a2c4e6b8d1f3a5c7e9b';

describe('the remote control door', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let pki: TestPki;

  beforeEach(() => {
    workspace = makeWorkspace();
    pki = makeTestPki(workspace);
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  function doorConfig(): string {
    const tokenFile = join(workspace, 'wall.token');
    writeFileSync(tokenFile, `${WALL}\n`, { mode: 0o600 });
    return writeConfig(
      workspace,
      [
        'service:',
        '  telemetry:',
        '    metrics:',
        '      endpoint: 127.0.0.1:0',
        '  control:',
        '    endpoint: 127.0.0.1:0',
        `    tls: { cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)} }`,
        '    tokens:',
        '      - { name: alice, role: operator, token: "${env:ALICE_TOKEN}" }',
        `      - { name: wall, role: viewer, token_file: ${JSON.stringify(tokenFile)} }`,
      ].join('\n'),
    );
  }

  it('lets a viewer look and watch but not act, an operator act under the token’s name, and refuses the rest clearly', async () => {
    // prepare: a daemon with a remote door, and an incident
    daemon = await startDaemon(workspace, doorConfig(), { ALICE_TOKEN: ALICE });
    expect(daemon.controlEndpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    const remote = (token: string, ...args: string[]) =>
      runCli([...args, '--connect', daemon!.controlEndpoint, '--ca', pki.caFile], { env: { FIREWATCH_TOKEN: token, FIREWATCH_USER: 'mallory' } });
    const listed = await eventually(async () => {
      const result = await remote(WALL, 'incidents', 'list', '--format', 'json');
      const incidents = JSON.parse(result.stdout || '[]') as Array<{ incident_id: string }>;
      return incidents.length > 0 ? incidents : undefined;
    }, 15_000);
    expect(listed.map((incident) => incident.incident_id)).toEqual(['inc_00001']);

    // a viewer watches…
    const watcher = spawn(process.execPath, [CLI, 'incidents', 'watch', '--format', 'json', '--connect', daemon.controlEndpoint, '--ca', pki.caFile], {
      env: { ...process.env, FIREWATCH_TOKEN: WALL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let watched = '';
    watcher.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    // …but may not act: nothing changes
    const refused = await remote(WALL, 'incidents', 'acknowledge', 'inc_00001');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('firewatch: forbidden: wall is a viewer and may not update incident\n');
    expect((await remote(WALL, 'incidents', 'rules', 'disable', 'error_burst')).stderr).toMatch(/^firewatch: forbidden: wall is a viewer/);
    // silences and dead letters: a viewer lists them, only an operator changes them (recorded under the token's name)
    expect((await remote(WALL, 'silences', 'list', '--format', 'json')).stdout).toBe('[]\n');
    expect((await remote(WALL, 'notifications', 'list', '--dead', '--format', 'json')).stdout).toBe('[]\n');
    const silencing = await remote(WALL, 'silences', 'create', '--component', 'checkout', '--duration', '1h', '--comment', 'mine');
    expect(silencing.stderr).toBe('firewatch: forbidden: wall is a viewer and may not create silence\n');
    expect((await remote(WALL, 'notifications', 'retry', '--all-dead')).stderr).toMatch(/^firewatch: forbidden: wall is a viewer and may not retry notifications/);
    const silenced = await remote(ALICE, 'silences', 'create', '--component', 'payments', '--duration', '1h', '--comment', 'CHG-7', '--format', 'json');
    expect(silenced.code, silenced.stderr).toBe(0);
    expect(JSON.parse(silenced.stdout)).toMatchObject({ silence_id: 'sil_00001', created_by: 'alice' });
    expect((await remote(WALL, 'silences', 'expire', 'sil_00001')).stderr).toMatch(/^firewatch: forbidden: wall is a viewer and may not expire silence/);
    expect(JSON.parse((await remote(ALICE, 'silences', 'expire', 'sil_00001', '--format', 'json')).stdout)).toMatchObject({ expired_by: 'alice' });

    // an operator acts, recorded under the token's name whatever --as or $FIREWATCH_USER say
    const acked = await remote(ALICE, 'incidents', 'acknowledge', 'inc_00001', '--as', 'mallory', '--format', 'json');
    expect(acked.code).toBe(0);
    expect(JSON.parse(acked.stdout)).toMatchObject({ acknowledged: true, acknowledged_by: 'alice' });
    await eventually(async () => (/"acknowledged":true/.test(watched) ? true : undefined), 10_000);
    watcher.kill('SIGINT');

    // no token, a wrong token, no CA: one line each, exit 1
    const none = await runCli(['incidents', 'list', '--connect', daemon.controlEndpoint, '--ca', pki.caFile], { env: { FIREWATCH_TOKEN: '' } });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('--connect needs a token') });
    const wrong = await remote('not-the-token-at-all-0000000000', 'incidents', 'list');
    expect(wrong).toMatchObject({ code: 1, stderr: 'firewatch: unauthenticated: the token is not valid\n' });
    const untrusted = await runCli(['incidents', 'list', '--connect', daemon.controlEndpoint], { env: { FIREWATCH_TOKEN: WALL } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^firewatch: cannot verify the TLS certificate of the firewatch daemon at 127\.0\.0\.1:\d+ \(pass --ca FILE/);
    const plain = await runCli(['incidents', 'list', '--connect', daemon.otlpEndpoint, '--ca', pki.caFile], { env: { FIREWATCH_TOKEN: WALL } });
    expect(plain.code).toBe(1);

    // a rotated token file is read again on SIGHUP: the old token stops working, the new one works
    writeFileSync(join(workspace, 'wall.token'), WALL_ROTATED);
    daemon.child.kill('SIGHUP');
    await eventually(async () => ((await remote(WALL, 'incidents', 'list')).code === 1 ? true : undefined), 10_000);
    expect((await remote(WALL_ROTATED, 'incidents', 'list')).code).toBe(0);

    // verify: no token anywhere the daemon or the CLI wrote
    const everything = [daemon.logs(), acked.stdout, acked.stderr, refused.stderr, wrong.stderr, watched].join('\n');
    for (const secret of [ALICE, WALL, WALL_ROTATED]) expect(everything).not.toContain(secret);
  }, 90_000);

  it('refuses to open a remote door without TLS or tokens, naming the key', async () => {
    const config = writeConfig(workspace, ['service:', '  telemetry: { metrics: { endpoint: 127.0.0.1:0 } }', '  control:', '    endpoint: 127.0.0.1:0'].join('\n'));
    const run = await runCli(['serve', '--config', config], { cwd: workspace });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('firewatch: invalid configuration: service.control.tls: is required with service.control.endpoint (cert_file, key_file)\n');
    const weak = writeConfig(
      workspace,
      [
        'service:',
        '  telemetry: { metrics: { endpoint: 127.0.0.1:0 } }',
        '  control:',
        '    endpoint: 127.0.0.1:0',
        `    tls: { cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)} }`,
        '    tokens: [ { name: bob, role: operator, token: hunter2 } ]',
      ].join('\n'),
    );
    const short = await runCli(['serve', '--config', weak], { cwd: workspace });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('service.control.tokens[0].token: must be a string of at least 16 characters');
    expect(short.stderr).not.toContain('hunter2');
  });
});
