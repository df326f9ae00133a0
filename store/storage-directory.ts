// The storage directory holds telemetry and incidents (messages, user ids, hosts): only the daemon's user may read
// it. The daemon creates the directory 0700 and LMDB's files 0600 (lmdb-store.ts); a directory or files that exist
// already keep whatever mode they were given (by hand, by an older version, by a umask), so at start:
//
//   the directory and the LMDB files belong to another user, or a file is not a regular file (a symlink planted
//   there would redirect the daemon's writes)                        → refused (the daemon does not start)
//   owned by this user, open to group or others (0755, 0644)         → tightened to 0700 / 0600, and said in the log
//
// Tightening rather than refusing: the directory is the daemon's own, the fix is unambiguous, and a daemon that
// restarts under a supervisor should not stay down for a mode bit.

import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STORAGE_DIRECTORY_MODE = 0o700;
export const STORAGE_FILE_MODE = 0o600;
/** LMDB's files: the data file and the lock (reader table) file. */
const LMDB_FILE = /\.mdb$/;
/** Permission bits for group and others. */
const GROUP_AND_OTHERS = 0o077;

/** A mode changed at start, for the log. */
export interface TightenedMode {
  path: string;
  /** `0755` */
  from: string;
  to: string;
}

/** The storage directory cannot be made private; the message says what to do. */
export class StorageAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageAccessError';
  }
}

/**
 * Makes `directory` (which exists) and its LMDB files private to this user; returns what it changed. Throws
 * StorageAccessError when they belong to another user or a file is not a regular file.
 */
export function secureStorageDirectory(directory: string): TightenedMode[] {
  const uid = process.getuid?.();
  const tightened: TightenedMode[] = [];
  const tighten = (path: string, mode: number, wanted: number) => {
    if ((mode & GROUP_AND_OTHERS) === 0) return;
    chmodSync(path, wanted);
    tightened.push({ path, from: octal(mode), to: octal(wanted) });
  };

  const stats = statSync(directory);
  if (!stats.isDirectory()) throw new StorageAccessError(`storage directory ${directory} is not a directory`);
  if (uid !== undefined && stats.uid !== uid) {
    throw new StorageAccessError(`storage directory ${directory} belongs to uid ${stats.uid}, not to this user (uid ${uid}): run as its owner or choose another storage.directory`);
  }
  tighten(directory, stats.mode, STORAGE_DIRECTORY_MODE);

  for (const name of readdirSync(directory)) {
    if (!LMDB_FILE.test(name)) continue;
    const path = join(directory, name);
    const file = lstatSync(path);
    if (!file.isFile()) throw new StorageAccessError(`storage file ${path} is not a regular file: remove it, or choose another storage.directory`);
    if (uid !== undefined && file.uid !== uid) {
      throw new StorageAccessError(`storage file ${path} belongs to uid ${file.uid}, not to this user (uid ${uid})`);
    }
    tighten(path, file.mode, STORAGE_FILE_MODE);
  }
  return tightened;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}
