import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureStorageDirectory, StorageAccessError } from './storage-directory.js';
import { openStore } from './lmdb-store.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const isRoot = process.getuid?.() === 0;

describe('storage directory permissions', () => {
  let workspace: string;
  let directory: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'firewatch-perm-'));
    directory = join(workspace, 'data');
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('a new store is 0700 with 0600 files, whatever the umask allows', async () => {
    const store = openStore(directory);
    await store.close();
    expect(mode(directory)).toBe('700');
    expect([mode(join(directory, 'data.mdb')), mode(join(directory, 'lock.mdb'))]).toEqual(['600', '600']);
    expect(secureStorageDirectory(directory)).toEqual([]);
  });

  it('tightens an open directory and open LMDB files, and says what it changed; leaves other files alone', () => {
    // prepare
    mkdirSync(directory);
    chmodSync(directory, 0o755);
    writeFileSync(join(directory, 'data.mdb'), '');
    chmodSync(join(directory, 'data.mdb'), 0o644);
    writeFileSync(join(directory, 'lock.mdb'), '');
    chmodSync(join(directory, 'lock.mdb'), 0o600);
    writeFileSync(join(directory, 'notes.txt'), '');
    chmodSync(join(directory, 'notes.txt'), 0o644);
    // act
    const changed = secureStorageDirectory(directory);
    // verify
    expect(changed).toEqual([
      { path: directory, from: '0755', to: '0700' },
      { path: join(directory, 'data.mdb'), from: '0644', to: '0600' },
    ]);
    expect([mode(directory), mode(join(directory, 'data.mdb')), mode(join(directory, 'notes.txt'))]).toEqual(['700', '600', '644']);
  });

  it('refuses a symlink where an LMDB file belongs (it would redirect the writes)', () => {
    mkdirSync(directory, { mode: 0o700 });
    writeFileSync(join(workspace, 'elsewhere'), '');
    symlinkSync(join(workspace, 'elsewhere'), join(directory, 'data.mdb'));
    expect(() => secureStorageDirectory(directory)).toThrow(StorageAccessError);
    expect(() => secureStorageDirectory(directory)).toThrow(`storage file ${join(directory, 'data.mdb')} is not a regular file`);
  });

  it.runIf(isRoot)('refuses a directory or a file that belongs to another user', () => {
    mkdirSync(directory, { mode: 0o700 });
    chownSync(directory, 4242, 4242);
    expect(() => secureStorageDirectory(directory)).toThrow(`storage directory ${directory} belongs to uid 4242, not to this user (uid 0)`);
    chownSync(directory, 0, 0);
    writeFileSync(join(directory, 'lock.mdb'), '');
    chownSync(join(directory, 'lock.mdb'), 4242, 4242);
    expect(() => secureStorageDirectory(directory)).toThrow(`storage file ${join(directory, 'lock.mdb')} belongs to uid 4242`);
  });
});
