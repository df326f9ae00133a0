// What every client command needs: where the daemon's control socket is, and a connected client.

import { resolve } from 'node:path';
import { connectControl, type ControlClient } from '../control/client.js';
import { loadConfig } from '../daemon/config.js';
import type { ParsedArgs } from './args.js';

/** `--socket`, else `$FIREWATCH_SOCKET`, else the config's `service.control.socket`. */
export function resolveSocket(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = args.flags.socket as string | undefined;
  if (explicit) return resolve(explicit);
  if (env.FIREWATCH_SOCKET) return resolve(env.FIREWATCH_SOCKET);
  const { config } = loadConfig(args.flags.config as string | undefined, env);
  return resolve(config.service.control.socket);
}

export async function withClient<T>(args: ParsedArgs, use: (client: ControlClient) => Promise<T>): Promise<T> {
  const client = connectControl(resolveSocket(args));
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
