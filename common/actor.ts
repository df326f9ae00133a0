// Who is acting, for every front end that changes incidents or rules: the CLI's `--as`, the terminal UI's `--as`, and
// later a token's name. Recorded in the incident's history and in the audit logs, so it must never be empty.

import { userInfo } from 'node:os';

/** `explicit` (e.g. `--as`), else $FIREWATCH_USER, else the login name, else `unknown`. */
export function resolveActor(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  const fromEnv = env.FIREWATCH_USER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown'; // no passwd entry for this uid (containers)
  }
}
