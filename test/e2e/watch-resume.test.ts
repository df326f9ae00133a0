// `firewatch incidents watch` across a kill -9 and restart of the daemon: it says it is reconnecting, then carries
// on, printing what changed meanwhile once and nothing it printed before again; the last line it printed for each
// incident is that incident's state.
//
// A watcher prints what changes once it has subscribed, not what happened before; it says nothing when it has (the
// 'watching…' note is for terminals). So the scenario starts once the watcher has been seen live: it printed a
// change to a first incident, changed until it does. (Waiting for the daemon to answer instead let a watcher still
// starting on a loaded machine miss the whole of the error burst, and the wait for it timed out.)

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import {
  CLI,
  eventually,
  makeWorkspace,
  removeWorkspace,
  runCli,
  startDaemon,
  writeConfig,
  type DaemonProcess,
} from '../helpers/daemon-process.js';

type Update = {
  daemon_id: string;
  seq: number;
  kind: string;
  summary: string;
  incident: { incident_id: string; status: string; event_count: number; acknowledged: boolean; updated_at: string };
};

describe('incidents watch survives the daemon', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let watcher: ChildProcessWithoutNullStreams | undefined;

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    watcher?.kill('SIGKILL');
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('reconnects after kill -9 and a restart, missing no change and printing none twice', async () => {
    // prepare: a daemon, and a watcher printing JSON lines
    const config = writeConfig(workspace);
    daemon = await startDaemon(workspace, config);
    const socket = daemon.socket;
    watcher = spawn(process.execPath, [CLI, 'incidents', 'watch', '--socket', socket, '--format', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    watcher.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    watcher.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watcher!.once('exit', resolve));
    const updates = () =>
      stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Update);
    const lastFor = (id: string) => updates().filter((u) => u.incident.incident_id === id).at(-1);
    const cli = (...args: string[]) => runCli([...args, '--socket', socket, '--as', 'ann']);
    expect((await cli('incidents', 'create', '--type', 'cache_failure', '--severity', 'low', '--components', 'redis')).code).toBe(0);
    // Starting node and subscribing is what takes long on a loaded machine: each try changes inc_00001 again.
    await eventually(
      async () => {
        if (lastFor('inc_00001') !== undefined) return true;
        await cli('incidents', 'update', 'inc_00001', '--notes', 'is the watcher live yet?');
        return undefined;
      },
      30_000,
      500,
    );

    // act 1: an error burst opens inc_00002, and the watcher follows it through containment
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    await eventually(async () => (lastFor('inc_00002')?.incident.status === 'investigating' ? true : undefined), 20_000);
    const before = updates().length;
    const firstDaemon = updates()[0]!.daemon_id;

    // act 2: the daemon dies without a word; the watcher says so and keeps trying
    await daemon.kill9();
    await eventually(async () => (/reconnecting/.test(stderr) ? true : undefined), 15_000);
    expect(watcher.exitCode).toBeNull();

    // act 3: back on the same storage; while the watcher finds it again, incidents change
    daemon = await startDaemon(workspace, config);
    expect(daemon.socket).toBe(socket);
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(12));
    expect((await cli('incidents', 'acknowledge', 'inc_00002')).code).toBe(0);
    await eventually(async () => (/reconnected/.test(stderr) ? true : undefined), 20_000);
    await eventually(async () => (lastFor('inc_00003')?.incident.status === 'investigating' && lastFor('inc_00002')?.incident.acknowledged ? true : undefined), 20_000);
    // one more change after the watcher is surely live again: it arrives as an ordinary update
    expect((await cli('incidents', 'update', 'inc_00003', '--notes', 'looking')).code).toBe(0);
    await eventually(async () => (updates().some((u) => u.incident.incident_id === 'inc_00003' && /note added/.test(u.summary)) ? true : undefined), 15_000);

    // verify: the watcher ran throughout and stops on Ctrl-C
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    const all = updates();
    expect(all.length).toBeGreaterThan(before);
    // the same daemon (store) before and after, and the sequence never goes backwards
    expect(new Set(all.map((u) => u.daemon_id))).toEqual(new Set([firstDaemon]));
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThanOrEqual(all[i - 1]!.seq);
    // nothing printed twice: no two lines carry the same state of the same incident
    const states = all.map((u) => `${u.incident.incident_id} ${u.incident.updated_at} ${u.incident.status} ${u.incident.event_count} ${u.incident.acknowledged}`);
    expect(new Set(states).size).toBe(states.length);
    // nothing missed: the last line for each incident is its state now
    for (const id of ['inc_00001', 'inc_00002', 'inc_00003']) {
      const now = JSON.parse((await runCli(['incidents', 'get', id, '--format', 'json', '--socket', socket])).stdout) as Update['incident'];
      const last = lastFor(id)!.incident;
      expect({ status: last.status, event_count: last.event_count, acknowledged: last.acknowledged, updated_at: last.updated_at }).toEqual({
        status: now.status,
        event_count: now.event_count,
        acknowledged: now.acknowledged,
        updated_at: now.updated_at,
      });
    }
  }, 120_000);
});
