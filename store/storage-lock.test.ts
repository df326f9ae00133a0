import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_SOCKET_FILE, lockStorageDirectory, StorageLockedError, type StorageLock } from './storage-lock.js';

describe('storage lock', () => {
  let workspace: string;
  const held: StorageLock[] = [];
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'firewatch-lock-'));
  });
  afterEach(async () => {
    for (const lock of held.splice(0)) await lock.release();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function refusal(directory: string, platform?: NodeJS.Platform): Promise<StorageLockedError> {
    const caught = await lockStorageDirectory(directory, platform ? { platform } : {}).then(
      (lock) => (held.push(lock), undefined),
      (error: unknown) => error,
    );
    expect(caught).toBeInstanceOf(StorageLockedError);
    return caught as StorageLockedError;
  }

  for (const platform of ['linux', 'darwin'] as const) {
    it(`${platform}: one holder at a time, named by its pid, whatever path reaches the directory`, async () => {
      // prepare
      const directory = join(workspace, 'data');
      const alias = join(workspace, 'alias');
      held.push(await lockStorageDirectory(directory, { platform }));
      symlinkSync(directory, alias);
      // act
      const direct = await refusal(directory, platform);
      const viaAlias = await refusal(join(alias, '.'), platform);
      // verify
      expect(direct.holderPid).toBe(process.pid);
      expect(direct.message).toBe(
        `storage directory ${directory} is in use by another firewatch daemon (pid ${process.pid}): stop it, or give this one its own storage.directory`,
      );
      expect(viaAlias.holderPid).toBe(process.pid);
    });

    it(`${platform}: released, the directory can be taken again`, async () => {
      const directory = join(workspace, 'data');
      const first = await lockStorageDirectory(directory, { platform });
      await first.release();
      await first.release();
      held.push(await lockStorageDirectory(directory, { platform }));
    });
  }

  it('linux: leaves no file in the directory; a holder killed with -9 leaves no lock', async () => {
    const directory = join(workspace, 'data');
    await holdInChildThenKill(directory, 'linux');
    held.push(await lockStorageDirectory(directory, { platform: 'linux' }));
    expect(existsSync(join(directory, LOCK_SOCKET_FILE))).toBe(false);
  });

  it('a socket file left by a holder killed with -9 is taken over', async () => {
    const directory = join(workspace, 'data');
    await holdInChildThenKill(directory, 'darwin');
    expect(existsSync(join(directory, LOCK_SOCKET_FILE))).toBe(true);
    held.push(await lockStorageDirectory(directory, { platform: 'darwin' }));
  });
});

/**
 * Takes the lock in another process (the built module: Node 20 runs no TypeScript), checks it is held there, then
 * kills that process with SIGKILL.
 */
async function holdInChildThenKill(directory: string, platform: NodeJS.Platform): Promise<void> {
  const module = new URL('../dist/store/storage-lock.js', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { lockStorageDirectory } = await import(${JSON.stringify(module)});
       await lockStorageDirectory(${JSON.stringify(directory)}, { platform: ${JSON.stringify(platform)} });
       process.stdout.write('held\\n');
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolveHeld, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolveHeld());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  const refused = await lockStorageDirectory(directory, { platform }).then(
    async (lock) => (await lock.release(), null),
    (error: unknown) => error,
  );
  expect((refused as StorageLockedError).holderPid).toBe(child.pid);
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill('SIGKILL');
  await exited;
}
