// The outbox prompts' effects (tui/outbox.ts) as control calls: create or expire a silence, retry or drop a dead
// letter, retry every dead letter. Each outcome becomes the message line; a success also reads the screen's list again.

import type { ControlClient } from '../api/client.js';
import { plural } from '../view/format.js';
import type { OutboxEffect } from './outbox.js';

export type OutboxCalls = {
  clients: readonly ControlClient[];
  actor: string;
  notice(text: string, kind?: 'info' | 'error'): void;
  track<T>(promise: Promise<T>): Promise<T>;
  describeError(error: unknown): string;
  /** Our change landed: read the lists again (and the stats' dead-letter count). */
  changed(): void;
};

export function runOutboxEffect(effect: OutboxEffect, calls: OutboxCalls): void {
  const { actor } = calls;
  const on = (member: number, what: string, work: (client: ControlClient) => Promise<string>) => {
    const client = calls.clients[member];
    if (client === undefined) {
      calls.notice(`could not ${what}: no daemon for it`, 'error');
      return;
    }
    void calls.track(
      work(client).then(
        (text) => {
          calls.changed();
          calls.notice(text);
        },
        (error: unknown) => calls.notice(`could not ${what}: ${calls.describeError(error)}`, 'error'),
      ),
    );
  };
  switch (effect.type) {
    case 'create-silence':
      on(effect.member, `silence ${effect.request.component}`, async (client) => {
        const silence = await client.createSilence({ ...effect.request, actor });
        return `${silence.silence_id}: ${silence.component} (${silence.incident_type ?? 'every type'}) silenced until ${silence.ends_at} by ${silence.created_by}`;
      });
      return;
    case 'expire-silence':
      on(effect.silence.member, `expire ${effect.silence.display}`, async (client) => {
        const silence = await client.expireSilence({ silence_id: effect.silence.silence_id, actor });
        return `${effect.silence.display} expired by ${silence.expired_by ?? actor}`;
      });
      return;
    case 'retry-notification':
      on(effect.notification.member, `retry ${effect.notification.display}`, async (client) => {
        const [result] = await client.retryNotifications({ notification_ids: [effect.notification.notification_id], actor });
        if (result !== undefined && !result.retried) throw new Error(result.detail);
        return `${effect.notification.display} back in the outbox`;
      });
      return;
    case 'drop-notification':
      on(effect.notification.member, `drop ${effect.notification.display}`, async (client) => {
        await client.dropNotification({ notification_id: effect.notification.notification_id, actor });
        return `${effect.notification.display} dropped`;
      });
      return;
    case 'retry-all-dead':
      // Each daemon's dead letters are its own: retried on every one.
      void calls.track(
        Promise.allSettled(calls.clients.map((client) => client.retryNotifications({ all_dead: true, actor }))).then((answers) => {
          let retried = 0;
          const failures: string[] = [];
          for (const answer of answers) {
            if (answer.status === 'rejected') failures.push(calls.describeError(answer.reason));
            else for (const result of answer.value) if (result.retried) retried++;
          }
          calls.changed();
          calls.notice(`${plural(retried, 'dead letter')} back in the outbox${failures.length > 0 ? `; could not retry: ${failures.join('; ')}` : ''}`, failures.length > 0 ? 'error' : 'info');
        }),
      );
      return;
  }
}
