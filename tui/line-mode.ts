// `firewatch tui` where there is no terminal to draw on (piped, CI, systemd, TERM=dumb): one line per incident
// change, as `firewatch incidents watch` prints them, after one line per incident open when it connects. Runs until
// a signal (or `stop`), reconnecting like the full screen does.

import type { ControlClient } from '../api/client.js';
import type { IncidentUpdate } from '../api/update.js';
import { isOpenStatus } from '../api/vocabulary.js';
import { createFleet } from '../control/fleet.js';
import { updateLine } from '../view/incident-text.js';
import { toAscii } from '../view/text.js';

export type LineModeOptions = {
  clients: readonly ControlClient[];
  out: { write(text: string): unknown };
  ascii: boolean;
  /** Why there is no full screen (said once, first). */
  reason: string;
  /** Resolves when the line output should stop (a signal, a test). */
  until: Promise<unknown>;
};

export async function runLineMode(options: LineModeOptions): Promise<number> {
  const fleet = options.clients.length > 1;
  const print = (text: string) => options.out.write(`${options.ascii ? toAscii(text) : text}\n`);
  const show = (member: number, update: IncidentUpdate) => print(`${fleet ? `d${member + 1} ` : ''}${updateLine(update)}`);
  print(`firewatch tui: ${options.reason}; printing incident changes, one per line (Ctrl-C stops).`);
  const away = new Set<number>();
  const sessions = createFleet(options.clients, {
    onChange({ member, change }) {
      const where = `${fleet ? `d${member + 1} ` : ''}${options.clients[member]?.address ?? ''}`;
      switch (change.type) {
        case 'update':
          show(member, change.update);
          break;
        case 'reconnecting':
          if (!away.has(member)) print(`firewatch: lost ${where} (${change.error}); reconnecting…`);
          away.add(member);
          break;
        case 'connected':
          if (away.delete(member)) print(`firewatch: reconnected to ${where}${change.resumed ? '' : ', catching up'}`);
          break;
        case 'resynced':
          if (change.initial) {
            const open = change.incidents.filter((incident) => isOpenStatus(incident.status)).length;
            print(`${where}: ${open} open incident${open === 1 ? '' : 's'}`);
          }
          for (const update of change.changes) show(member, update);
          break;
      }
    },
  });
  sessions.start();
  await options.until;
  await sessions.close();
  return 0;
}
