// `firewatch tui`: the terminal UI on a running daemon. Loaded lazily (React and Ink cost ~400 ms to import), and the
// gRPC client too, so every other command stays fast.

import type { CommandSpec } from '../args.js';
import { connectMembers, firstContact } from '../context.js';
import { ACTOR_FLAG, actorOf } from '../flags.js';

/**
 * After the TUI gave the terminal back, a handle nobody closed (a socket, a timer of a library) must not keep the
 * process alive: it exits this long after, unless it ended by itself first (the timer is unref'd).
 */
const EXIT_GRACE_MS = 2_000;

export const tui: CommandSpec = {
  path: ['tui'],
  summary: 'The terminal UI: incidents live, drill into traces, acknowledge and mitigate from the keyboard.',
  positionals: [],
  flags: [
    { name: 'read-only', kind: 'boolean', description: 'look, never change: the keys that act on incidents and rules are off' },
    { name: 'ascii', kind: 'boolean', description: 'write no byte above 0x7F (borders, markers and bars in ASCII)' },
    ACTOR_FLAG,
  ],
  examples: [
    'firewatch tui',
    'firewatch tui --read-only',
    'firewatch tui --socket /var/lib/firewatch/control.sock --as alice',
    'firewatch tui --ascii',
    'FIREWATCH_TOKEN=… firewatch tui --connect ops-1:7070,ops-2:7070,ops-3:7070 --ca ca.pem',
  ],
  async run(args) {
    // The same clients as every other command: the local socket, or one per daemon of --connect (with token and CA).
    const [clients, { runTui }] = await Promise.all([connectMembers(args), import('../../tui/run.js')]);
    let absent;
    try {
      // A remote door refusing us is said here, in one line, before the terminal is taken. The local socket is not
      // asked: the TUI waits for its daemon ("connecting"), as it waits for one that goes away.
      absent = args.flags.connect === undefined ? [] : await firstContact(clients);
    } catch (error) {
      for (const client of clients) client.close();
      throw error;
    }
    const code = await runTui({
      clients,
      ...(absent.length > 0 ? { initialMessage: `not answering: ${absent.map((member) => `${member.label} (${member.address})`).join(', ')}; the others are shown` } : {}),
      readOnly: Boolean(args.flags['read-only']),
      ascii: Boolean(args.flags.ascii),
      actor: actorOf(args),
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    return code;
  },
};
