// `incidents watch` on a terminal says it is watching once its subscription is live, so what changes after the note
// appears is printed: a person (or a script driving a pty) can start the outage right then. The daemon and the CLI
// are the real ones, the terminal a real pty.

import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { spawnFirewatch, type PtyTui } from '../helpers/pty-terminal.js';

describe('incidents watch on a terminal', () => {
  let workspace: string | undefined;
  let daemon: DaemonProcess | undefined;
  let watcher: PtyTui | undefined;

  afterEach(async () => {
    watcher?.kill();
    await daemon?.kill9();
    if (workspace !== undefined) removeWorkspace(workspace);
  });

  it('says it is watching only once it is, and prints what changes from then on', { timeout: 60_000 }, async () => {
    workspace = makeWorkspace();
    daemon = await startDaemon(workspace, writeConfig(workspace));
    watcher = spawnFirewatch(['incidents', 'watch', '--socket', daemon.socket]);
    await watcher.waitFor('watching for incident changes… (Ctrl-C to stop)', 30_000);

    // No wait after the note: the incident made right after it must be printed.
    const created = await runCli(['incidents', 'create', '--type', 'cache_failure', '--components', 'redis', '--socket', daemon.socket]);
    expect(created.code, created.stderr).toBe(0);
    await watcher.waitFor(/inc_00001/, 10_000);
  });
});
