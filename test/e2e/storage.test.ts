// One storage directory, one daemon: a second `firewatch serve` on the same directory (other socket, other ports)
// is refused before it reads or writes anything, whether it starts later or at the same moment; a daemon killed
// with -9 leaves no lock behind. The directory and its files are the daemon user's alone.

import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

type Json = Record<string, unknown>;

/** A config of its own (socket, ports) over `storage`. */
function configOver(workspace: string, name: string, storage: string): string {
  const file = join(workspace, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0" } } } }',
      `storage: { directory: ${JSON.stringify(storage)} }`,
      'service:',
      `  control: { socket: ${JSON.stringify(join(workspace, `${name}.sock`))} }`,
      '  telemetry: { metrics: { endpoint: "127.0.0.1:0" } }',
    ].join('\n'),
  );
  return file;
}

describe('one daemon per storage directory', () => {
  let workspace: string;
  const daemons: DaemonProcess[] = [];

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.kill9();
    removeWorkspace(workspace);
  });

  const incidents = async (daemon: DaemonProcess): Promise<Json[]> =>
    JSON.parse((await runCli(['incidents', 'list', '--format', 'json', '--socket', daemon.socket])).stdout) as Json[];

  it('refuses a second daemon on the directory, naming the running one, and the first keeps its data', async () => {
    // prepare
    const storage = join(workspace, 'data');
    const first = await startDaemon(workspace, writeConfig(workspace));
    daemons.push(first);

    // act
    const second = await startDaemon(workspace, configOver(workspace, 'second', storage)).then(
      (daemon) => (daemons.push(daemon), ''),
      (error: Error) => error.message,
    );

    // verify
    expect(second).toContain(`firewatch: cannot start: storage directory ${storage} is in use by another firewatch daemon (pid ${first.child.pid})`);
    await exportSpans(first.otlpEndpoint, 'checkout', errorSpans(12));
    expect((await incidents(first)).map((incident) => incident.incident_id)).toEqual(['inc_00001']);
    expect(await first.stop()).toBe(0);
    const again = await startDaemon(workspace, configOver(workspace, 'again', storage));
    daemons.push(again);
    expect((await incidents(again)).map((incident) => incident.incident_id)).toEqual(['inc_00001']);
  });

  it('of two daemons started at the same moment on a fresh directory, one runs and the other is refused', async () => {
    const storage = join(workspace, 'fresh');
    const started = await Promise.allSettled(['a', 'b'].map((name) => startDaemon(workspace, configOver(workspace, name, storage))));
    const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    daemons.push(...running);
    const refused = started.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as Error).message)] : []));
    expect(running).toHaveLength(1);
    expect(refused).toEqual([expect.stringContaining(`is in use by another firewatch daemon (pid ${running[0]!.child.pid})`)]);
  });

  it('a daemon killed with -9 leaves no lock behind', async () => {
    const storage = join(workspace, 'data');
    const killed = await startDaemon(workspace, configOver(workspace, 'killed', storage));
    await killed.kill9();
    const next = await startDaemon(workspace, configOver(workspace, 'next', storage));
    daemons.push(next);
    expect(await incidents(next)).toEqual([]);
  });

  it('keeps telemetry from other local users: a 0755 directory is tightened to 0700, the LMDB files are 0600', async () => {
    // prepare: a directory made by hand, open to everyone, and LMDB files a previous version left 0644
    const storage = join(workspace, 'data');
    mkdirSync(storage, { mode: 0o755 });
    chmodSync(storage, 0o755);
    const config = configOver(workspace, 'open', storage);
    const before = await startDaemon(workspace, config);
    expect(await before.stop(), before.logs()).toBe(0);
    for (const file of ['data.mdb', 'lock.mdb']) chmodSync(join(storage, file), 0o644);
    chmodSync(storage, 0o755);

    // act
    const daemon = await startDaemon(workspace, config);
    daemons.push(daemon);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect(mode(storage)).toBe('700');
    expect(mode(join(storage, 'data.mdb'))).toBe('600');
    expect(mode(join(storage, 'lock.mdb'))).toBe('600');
    expect(daemon.logs()).toMatch(/warn storage was open to other users: permissions tightened path=\S+data mode=0755 now=0700/);
    expect(daemon.logs()).toMatch(/warn storage was open to other users: permissions tightened path=\S+data\.mdb mode=0644 now=0600/);
  });
});
