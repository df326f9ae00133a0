// Flags many commands share, and how to read them: the output format, who is acting, and `--since`.

import { resolveActor } from '../common/actor.js';
import { parseSince } from '../common/time.js';
import { UsageError, type CommandSpec, type FlagSpec, type ParsedArgs } from './args.js';


export const FORMAT_FLAG: FlagSpec = {
  name: 'format',
  kind: 'string',
  choices: ['table', 'json', 'csv'],
  description: 'output format (default table)',
};

/** `--format`, default table. */
export function formatOf(args: ParsedArgs): string {
  return (args.flags.format as string | undefined) ?? 'table';
}

export const ACTOR_FLAG: FlagSpec = {
  name: 'as',
  kind: 'string',
  placeholder: 'NAME',
  description: 'who is acting (default $FIREWATCH_USER, else your login name)',
};

/** `--as`, else $FIREWATCH_USER, else the login name: recorded in the incident's history and the audit logs. */
export function actorOf(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  return resolveActor(args.flags.as as string | undefined, env);
}

/**
 * `--since` as the ISO-8601 instant the control API takes; undefined when not given; a UsageError saying what is
 * wrong (not an age or a time, a date that does not exist, a time in the future) otherwise.
 */
export function sinceOf(args: ParsedArgs, command: CommandSpec): string | undefined {
  if (args.flags.since === undefined) return undefined;
  try {
    return new Date(parseSince(String(args.flags.since), Date.now())).toISOString();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, command);
    throw error;
  }
}
