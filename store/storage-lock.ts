// One daemon per storage directory. LMDB is built for many processes sharing one environment, so it does not stop a
// second daemon: two daemons on one directory would each number incidents from their own counters and overwrite
// each other's records. The daemon takes this lock before it reads or writes anything in the directory.
//
// The lock is a listening unix socket in Linux's abstract namespace, named by the directory's device and inode:
//   - bind() is atomic: of two daemons starting at the same moment exactly one gets the name, the other EADDRINUSE;
//   - the kernel releases the name when its process dies, `kill -9` included, so there is no stale lock to detect
//     and take over. (A lock file holding a pid needs "is that pid alive?" and then "take it": two steps that another
//     starter can interleave, and a recycled pid looks alive. LMDB's own lock file is shared by design.)
//   - it leaves no file behind, and the device and inode name the directory whatever path (symlink, `..`) reached it.
// The holder answers every connection with its pid, so a refusal can name the running daemon.
//
// Limits: the abstract namespace is per network namespace (two containers with their own networks sharing one volume
// do not see each other's lock) and has no permissions (another local user could hold the name and keep the daemon
// from starting, never let two run). Where there is no abstract namespace (not Linux), a socket file in the directory
// (mode 0700, so only its owner can use it) takes its place; a file a killed daemon left behind (connect refused) is
// removed and the bind retried once, which two daemons restarting at the same moment could both do.

import { mkdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { STORAGE_DIRECTORY_MODE } from './storage-directory.js';

/** Name of the lock socket inside the directory where there is no abstract namespace. */
export const LOCK_SOCKET_FILE = 'daemon.lock';
/** The holder's answer: its pid and a newline; more than this is not a pid. */
const MAX_ANSWER_BYTES = 24;
/** How long a refused starter tries to learn the holder's pid (the holder may be between bind and listen, or busy starting). */
const PID_QUERY_TIMEOUT_MS = 3_000;
const PID_QUERY_RETRY_MS = 50;

export interface StorageLock {
  /** The socket address held: `\0firewatch-storage:<dev>:<ino>`, or the socket file's path. */
  readonly address: string;
  /** Gives the directory up (idempotent). */
  release(): Promise<void>;
}

/** The directory is held by another process; `holderPid` is what it answered, null when it did not. */
export class StorageLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number | null,
  ) {
    super(
      `storage directory ${directory} is in use by another firewatch daemon ` +
        (holderPid === null ? '(it did not say its pid)' : `(pid ${holderPid})`) +
        ': stop it, or give this one its own storage.directory',
    );
    this.name = 'StorageLockedError';
  }
}

export interface LockOptions {
  /** Which mechanism to use; default process.platform (abstract namespace on linux, a socket file elsewhere). */
  platform?: NodeJS.Platform;
}

/**
 * Creates `directory` (mode 0700) when missing and takes it for this process. Throws StorageLockedError when another
 * process holds it.
 */
export async function lockStorageDirectory(directory: string, options: LockOptions = {}): Promise<StorageLock> {
  mkdirSync(directory, { recursive: true, mode: STORAGE_DIRECTORY_MODE });
  const abstract = (options.platform ?? process.platform) === 'linux';
  const address = abstract ? abstractName(directory) : join(directory, LOCK_SOCKET_FILE);
  const server = createServer((socket) => {
    socket.on('error', () => {}); // a starter that hangs up early is no concern of the holder
    socket.end(`${process.pid}\n`);
  });
  server.unref();

  let bound = await listen(server, address);
  if (!bound && !abstract && (await askOnce(address, PID_QUERY_TIMEOUT_MS)) === 'refused') {
    // A socket file nobody listens on: left by a daemon that was killed.
    rmSync(address, { force: true });
    bound = await listen(server, address);
  }
  if (!bound) throw new StorageLockedError(directory, await holderPid(address, PID_QUERY_TIMEOUT_MS));

  let released: Promise<void> | undefined;
  return {
    address,
    release() {
      released ??= new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      return released;
    },
  };
}

/** The abstract socket name of a directory: its device and inode (exact, as bigints). */
function abstractName(directory: string): string {
  const stats = statSync(directory, { bigint: true });
  return `\0firewatch-storage:${stats.dev}:${stats.ino}`;
}

/** true once listening on `address`; false when another socket has it. */
function listen(server: Server, address: string): Promise<boolean> {
  return new Promise((resolveListen, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolveListen(false);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ path: address, exclusive: true });
  });
}

/**
 * The pid the holder of `address` answers with; null when nothing answers within `patienceMs` (a connection refused
 * is retried until then: a holder that has bound but not yet listened refuses connections for a moment).
 */
async function holderPid(address: string, patienceMs: number): Promise<number | null> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const answer = await askOnce(address, Math.max(1, deadline - Date.now()));
    if (answer !== 'refused') return answer;
    if (Date.now() + PID_QUERY_RETRY_MS > deadline) return null;
    await new Promise((resolveWait) => setTimeout(resolveWait, PID_QUERY_RETRY_MS));
  }
}

function askOnce(address: string, timeoutMs: number): Promise<number | null | 'refused'> {
  return new Promise((resolveAsk) => {
    let answer = '';
    const socket = connect({ path: address });
    const finish = (result: number | null | 'refused') => {
      clearTimeout(timer);
      socket.destroy();
      resolveAsk(result);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.length > MAX_ANSWER_BYTES) finish(null);
    });
    socket.on('end', () => {
      const pid = /^([1-9][0-9]{0,9})\n$/.exec(answer);
      finish(pid ? Number(pid[1]) : null);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'refused' : null));
  });
}
