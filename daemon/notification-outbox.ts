// The notification outbox as people see it through the control API: what is waiting, the dead letters (given up on
// by the worker), putting dead letters back (`notifications retry`) and dropping them (`notifications drop`). Retries
// and drops change what the incident's channels are told, so each is recorded in the audit log under the
// notification's incident (kinds `retried`, `dropped`; action_id = the notification's id).

import type { NotificationJson, RetriedNotificationJson } from '../api/notification.js';
import { isoTime } from '../common/time.js';
import { BadRequest, NotFound, type NotificationListQuery } from '../control/backend.js';
import type { Outbox } from '../store/outbox.js';
import type { AuditDraft, RemediationStore } from '../store/remediation-store.js';
import { actorName } from './incident-commands.js';
import type { DeadLetter, OutboxItem } from '../engine/index.js';

/** Listed when no limit is given. */
const DEFAULT_LIST_LIMIT = 100;
/** Dead letters one `retry --all-dead` puts back at most (the rest stay for the next). */
const MAX_RETRIED_AT_ONCE = 10_000;
const MAX_IDS = 1_000;

export interface NotificationOutboxOptions {
  outbox: Outbox;
  audit: Pick<RemediationStore, 'append'>;
  /** Names of the channels configured now (`slack`, `webhook:ops`…): a dead letter of another cannot be delivered. */
  channels: () => ReadonlySet<string>;
  clock: () => number;
  /** Told when items were put back (the worker should look now). */
  onRequeued: () => void;
}

export class NotificationOutbox {
  constructor(private readonly options: NotificationOutboxOptions) {}

  list(query: NotificationListQuery): NotificationJson[] {
    const limit = query.limit > 0 ? query.limit : DEFAULT_LIST_LIMIT;
    const channel = query.channel === '' ? undefined : query.channel;
    const dead = this.options.outbox.deadLetters(limit, channel).map(deadLetterToJson);
    if (query.dead) return dead;
    const pending = this.options.outbox.pending(limit, channel).map(pendingToJson);
    return [...pending, ...dead].slice(0, limit);
  }

  async retry(ids: readonly string[], allDead: boolean, rawActor: string): Promise<RetriedNotificationJson[]> {
    const actor = actorName(rawActor);
    if (allDead === ids.length > 0) throw new BadRequest('name the dead letters to retry, or ask for all of them (--all-dead), not both');
    if (ids.length > MAX_IDS) throw new BadRequest(`at most ${MAX_IDS} ids at once`);
    const letters = allDead ? this.options.outbox.deadLetters(MAX_RETRIED_AT_ONCE) : ids.map((id) => this.options.outbox.getDeadLetter(id.trim()));
    const channels = this.options.channels();
    const answers: RetriedNotificationJson[] = [];
    const retry: DeadLetter[] = [];
    letters.forEach((letter, index) => {
      if (letter === undefined) answers.push({ notification_id: ids[index]!, retried: false, detail: 'no dead letter has this id' });
      else if (!channels.has(letter.channel)) answers.push({ notification_id: letter.id, retried: false, detail: `channel ${letter.channel} is not configured` });
      else retry.push(letter);
    });
    if (retry.length === 0) {
      if (!allDead && answers.every((answer) => answer.detail === 'no dead letter has this id')) throw new NotFound(`no dead letter ${ids.join(', ')}`);
      return answers;
    }
    const now = this.options.clock();
    const requeued = await this.options.outbox.requeue(
      retry.map((letter) => letter.id),
      now,
    );
    const byId = new Map(retry.map((letter) => [letter.id, letter]));
    const audit: AuditDraft[] = [];
    for (const result of requeued) {
      const letter = byId.get(result.id)!;
      if ('missing' in result) {
        answers.push({ notification_id: result.id, retried: false, detail: 'no longer a dead letter' });
        continue;
      }
      answers.push({ notification_id: result.id, retried: true, detail: `back in the outbox for ${letter.channel}` });
      audit.push(auditDraft(now, letter, 'retried', actor, `${letter.kind} to ${letter.channel}, dead since ${isoTime(letter.failed_at)}: ${letter.reason}`));
    }
    if (audit.length > 0) {
      await this.options.audit.append(audit);
      this.options.onRequeued();
    }
    return answers;
  }

  async drop(id: string, rawActor: string): Promise<NotificationJson> {
    const actor = actorName(rawActor);
    const letter = await this.options.outbox.drop(id.trim());
    if (letter === undefined) throw new NotFound(`no dead letter ${id} (only dead letters can be dropped)`);
    await this.options.audit.append([auditDraft(this.options.clock(), letter, 'dropped', actor, `${letter.kind} to ${letter.channel}: ${letter.reason}`)]);
    return deadLetterToJson(letter);
  }
}

function auditDraft(at: number, letter: DeadLetter, kind: 'retried' | 'dropped', actor: string, detail: string): AuditDraft {
  return { at, incident_id: letter.incident_id, action_id: letter.id, kind, actor, risk: 'safe', approved_by: null, detail };
}

function pendingToJson(item: OutboxItem): NotificationJson {
  return {
    notification_id: item.id,
    channel: item.channel,
    kind: item.kind,
    incident_id: item.incident_id,
    state: 'pending',
    created_at: isoTime(item.created_at) ?? '',
    attempts: item.attempts,
    next_attempt_at: isoTime(item.next_attempt_at),
    last_error: item.last_error,
    failed_at: null,
    reason: null,
  };
}

function deadLetterToJson(letter: DeadLetter): NotificationJson {
  return { ...pendingToJson(letter), state: 'dead', next_attempt_at: null, failed_at: isoTime(letter.failed_at), reason: letter.reason };
}
