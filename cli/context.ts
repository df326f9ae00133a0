// What every client command needs: where the daemon (or daemons) are, and a connected client.
//
//   --connect a:7070,b:7070 [--token T | $FIREWATCH_TOKEN] [--ca FILE]   remote doors (TLS + token); several merge
//   --socket PATH | $FIREWATCH_SOCKET | the config's service.control.socket   the local door

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ControlClient } from '../api/client.js';
import { ControlError, isControlError } from '../api/errors.js';
import { readConfigDocument } from '../common/config-file.js';
import { parseHostPort } from '../common/endpoint.js';
import type { ControlTarget } from '../control/client.js';
import { controlSocketOf } from '../control/socket-path.js';
import { UsageError, type ParsedArgs } from './args.js';
import { formatJson } from './render/json.js';

/** Most daemons one client merges (labels d1…d64). */
const MAX_CONNECT = 64;

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

/** Where the command's daemon(s) are: the remote doors of --connect, else the local socket. */
export function resolveTargets(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): ControlTarget[] {
  const connect = args.flags.connect as string | undefined;
  if (connect === undefined) {
    if (args.flags.token !== undefined || args.flags.ca !== undefined) throw new UsageError('--token and --ca go with --connect HOST:PORT');
    return [{ socket: resolveSocket(args, env) }];
  }
  if (args.flags.socket !== undefined) throw new UsageError('--socket and --connect contradict each other: the local door or remote ones');
  const addresses = connect.split(',').map((address) => address.trim()).filter((address) => address !== '');
  if (addresses.length === 0) throw new UsageError('--connect needs HOST:PORT (several: a,b,c)');
  if (addresses.length > MAX_CONNECT) throw new UsageError(`--connect names at most ${MAX_CONNECT} daemons`);
  const bad = addresses.find((address) => parseHostPort(address) === null);
  if (bad !== undefined) throw new UsageError(`--connect: ${JSON.stringify(bad)} is not HOST:PORT`);
  const token = (args.flags.token as string | undefined) ?? env.FIREWATCH_TOKEN ?? '';
  if (token === '') throw new UsageError('--connect needs a token: set $FIREWATCH_TOKEN (or pass --token)');
  let ca: Buffer | undefined;
  const caFile = args.flags.ca as string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      throw new ControlError(`cannot read --ca ${caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'bad_request');
    }
  }
  return addresses.map((address) => ({ address, token, ...(ca ? { ca } : {}) }));
}

/** One client per daemon named by the flags; grpc-js is loaded only by commands that call a daemon. */
export async function connectMembers(args: ParsedArgs): Promise<ControlClient[]> {
  const targets = resolveTargets(args);
  const { connectControl } = await import('../control/client.js');
  return targets.map((target) => connectControl(target));
}

/** A daemon of --connect that did not answer the first call, and why. */
export type AbsentMember = { label: string; address: string; error: ControlError };

/**
 * The first call to each daemon of --connect, for a client that then stays attached (the TUI): a refused token or
 * certificate, or no daemon answering at all, is the command's failure (one line, exit 1, as for any command), since
 * waiting would not fix it. With several daemons, one that is only unreachable is returned: the client shows the
 * others and names it while it reconnects. `members` as connectMembers made them, in --connect order.
 */
export async function firstContact(members: readonly ControlClient[]): Promise<AbsentMember[]> {
  const { memberLabel } = await import('../control/fleet-client.js');
  const answers = await Promise.allSettled(members.map((client) => client.status()));
  const absent: AbsentMember[] = [];
  for (const [index, answer] of answers.entries()) {
    if (answer.status === 'fulfilled') continue;
    const error = isControlError(answer.reason) ? answer.reason : new ControlError(String((answer.reason as Error)?.message ?? answer.reason), 'internal');
    if (members.length === 1) throw error;
    const label = memberLabel(index);
    const address = members[index]!.address;
    // `unavailable` is also what grpc-js says of a certificate it cannot verify: that one is a mistake, not an outage.
    if (error.kind !== 'unavailable' || /TLS certificate/.test(error.message)) {
      throw new ControlError(`${label} (${address}): ${error.message}`, error.kind, error.code);
    }
    absent.push({ label, address, error });
  }
  if (absent.length === members.length) throw new ControlError(`no daemon of --connect answers: ${absent[0]!.error.message}`, 'unavailable');
  return absent;
}

/** A client of the daemon(s) named by the flags: several merge into one view (control/fleet-client.ts). */
export async function connect(args: ParsedArgs): Promise<ControlClient> {
  const members = await connectMembers(args);
  if (members.length === 1) return members[0]!;
  const { createFleetClient, memberLabel } = await import('../control/fleet-client.js');
  return createFleetClient(members, {
    onMemberError: (address, error) => {
      const index = members.findIndex((member) => member.address === address);
      process.stderr.write(`firewatch: ${memberLabel(index)} (${address}) left out: ${error.message}\n`);
    },
  });
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
