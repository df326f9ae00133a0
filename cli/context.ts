// What every client command needs: where the daemon's control socket is, and a connected client.

import { resolve } from 'node:path';
import type { ControlClient } from '../api/client.js';
import { readConfigDocument } from '../common/config-file.js';
import { controlSocketOf } from '../control/socket-path.js';
import type { ParsedArgs } from './args.js';
import { formatJson } from './render/json.js';

/**
 * `--socket`, else `$FIREWATCH_SOCKET`, else the config's `service.control.socket` (or `control.sock` in its storage
 * directory). Only the keys the client needs are read: every CLI run pays for what it imports (bench/cli.bench.ts).
 */
export function resolveSocket(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = args.flags.socket as string | undefined;
  if (explicit) return resolve(explicit);
  if (env.FIREWATCH_SOCKET) return resolve(env.FIREWATCH_SOCKET);
  const { raw } = readConfigDocument(args.flags.config as string | undefined, env);
  return resolve(controlSocketOf(raw));
}

/** A client of the daemon named by the flags; grpc-js is loaded only by commands that call the daemon. */
export async function connect(args: ParsedArgs): Promise<ControlClient> {
  const { connectControl } = await import('../control/client.js');
  return connectControl(resolveSocket(args));
}

export async function withClient<T>(args: ParsedArgs, use: (client: ControlClient) => Promise<T>): Promise<T> {
  const client = await connect(args);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `value` as indented JSON, escaped for a terminal (render/json.ts). */
export function printJson(value: unknown): void {
  print(formatJson(value));
}

/** `value` as one line of JSON (a stream of objects, one per line), escaped for a terminal. */
export function printJsonLine(value: unknown): void {
  print(formatJson(value, 0));
}
