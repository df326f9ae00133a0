// Notifications: what waits in the outbox and the dead letters, per channel (view/outbox-text.ts). An operator retries a
// dead letter (`r`) or all of them (`R`), or drops one (`d`), each after a confirm naming what it acts on; a viewer
// sees the lists only.

import { useEffect, useState, type ReactNode } from 'react';
import type { NotificationJson } from '../../api/notification.js';
import { NOTIFICATION_COLUMNS, notificationCells, notificationsByChannel } from '../../view/outbox-text.js';
import { plural } from '../../view/format.js';
import { cleanLine } from '../../view/text.js';
import { PageLink, useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure, gateway } from '../gateway-client.js';
import { incidentHref } from '../routes.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { useLatestOnly } from '../latest-load.js';
import { DataTable, ErrorNote, Panel } from '../widgets/basics.js';
import { InlineConfirm, useActingName } from '../widgets/confirm.js';
import { useOpenings, type Opening } from '../widgets/openings.js';

type Pending = { verb: 'retry' | 'drop'; id: string } | { verb: 'retry_all' };

export function NotificationsScreen() {
  const { readOnly, now } = useDashboard();
  const [items, setItems] = useState<NotificationJson[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  // The confirm shown, if any; an answer closes only its own opening (openings.ts).
  const confirm = useOpenings<Pending>();
  const confirming = confirm.shown?.key;
  const [busy, setBusy] = useState(false);
  const acting = useActingName();

  const reads = useLatestOnly();
  const load = () =>
    reads.run(
      () => gateway.notifications(),
      (list) => {
        setItems(list);
        setError(undefined);
      },
      (failure: unknown) => setError(describeFailure(failure)),
    );
  useEffect(() => {
    void load();
  }, [now]);

  const groups = notificationsByChannel(items ?? []);
  // Rows in the order shown (channel by channel, pending then dead), so j/k move down the page.
  const ordered = groups.flatMap((group) => [...group.pending, ...group.dead]);
  const deadCount = ordered.filter((item) => item.state === 'dead').length;
  const selection = useSelection(ordered.map((item) => item.notification_id));
  const selectedDead = () => ordered.find((item) => item.notification_id === selection.key && item.state === 'dead');
  useScreenCommands({
    ...movementCommands(selection),
    retry: () => {
      const item = selectedDead();
      if (!readOnly && item !== undefined) confirm.open({ verb: 'retry', id: item.notification_id });
    },
    drop: () => {
      const item = selectedDead();
      if (!readOnly && item !== undefined) confirm.open({ verb: 'drop', id: item.notification_id });
    },
    retry_all: () => !readOnly && deadCount > 0 && confirm.open({ verb: 'retry_all' }),
  });

  const run = async (opening: Opening<Pending>) => {
    const pending = opening.key;
    setBusy(true);
    try {
      const who = acting.who();
      if (pending.verb === 'drop') {
        const dropped = await gateway.dropNotification(pending.id, who);
        setOutcome(`Dropped ${cleanLine(dropped.notification_id)}.`);
      } else {
        const results = pending.verb === 'retry' ? await gateway.retryNotification(pending.id, who) : await gateway.retryAllDead(who);
        const retried = results.filter((result) => result.retried).length;
        const refused = results.filter((result) => !result.retried).map((result) => `${cleanLine(result.notification_id)}: ${cleanLine(result.detail)}`);
        setOutcome([`Retried ${plural(retried, 'dead letter')}.`, ...refused].join(' '));
      }
      confirm.closeIf(opening);
      setError(undefined);
      await load();
    } catch (failure) {
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  };

  /** The confirm shown, asking `question`. */
  const confirmFor = (question: string) => {
    const opening = confirm.shown!;
    return <InlineConfirm question={question} busy={busy} acting={acting} onCancel={confirm.close} onConfirm={() => void run(opening)} />;
  };

  return (
    <div className="notifications">
      <div className="panel-head">
        <h1>Notifications</h1>
        {!readOnly && deadCount > 0 ? (
          confirming?.verb === 'retry_all' ? (
            confirmFor(`Retry all ${plural(deadCount, 'dead letter')}?`)
          ) : (
            <button type="button" onClick={() => confirm.open({ verb: 'retry_all' })} aria-keyshortcuts="R">
              Retry all dead letters…
            </button>
          )
        ) : null}
      </div>
      <p className="hint">A notification waits here until its channel takes it; one the channel refused for good becomes a dead letter, kept until it is retried or dropped.</p>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      <p className="outcome" role="status" aria-live="polite">
        {busy ? 'Working…' : (outcome ?? '')}
      </p>
      {items === undefined && error === undefined ? <p>Loading…</p> : null}
      {items !== undefined && groups.length === 0 ? <p className="empty">Nothing waiting and no dead letters.</p> : null}
      {groups.map((group) => (
        <Panel key={group.channel} id={`channel-${group.channel.replace(/[^A-Za-z0-9_-]/g, '-')}`} title={`${cleanLine(group.channel)}: ${group.pending.length} pending, ${plural(group.dead.length, 'dead letter')}`}>
          <DataTable
            stackWhenNarrow
            caption={`Notifications to ${cleanLine(group.channel)}`}
            captionHidden
            columns={readOnly ? NOTIFICATION_COLUMNS : [...NOTIFICATION_COLUMNS, { header: 'Change' }]}
            rows={[...group.pending, ...group.dead].map((item) => {
              const index = ordered.indexOf(item);
              const cells: ReactNode[] = notificationCells(item, now);
              // 40 characters without a space: allowed to break, or on a narrow window it pushed Retry/Drop off screen.
              cells[0] = <span className="notification-id">{cells[0]}</span>;
              cells[2] = <PageLink href={incidentHref(item.incident_id)}>{cleanLine(item.incident_id)}</PageLink>;
              const action = readOnly ? [] : [item.state !== 'dead' ? '' : <DeadLetterActions key="actions" item={item} confirming={confirming} open={confirm.open} confirmFor={confirmFor} />];
              return {
                key: item.notification_id,
                className: item.state === 'dead' ? 'dead-letter' : undefined,
                selected: index === selection.index,
                onSelect: () => selection.select(index),
                cells: [...cells, ...action],
              };
            })}
          />
        </Panel>
      ))}
    </div>
  );
}

function DeadLetterActions(props: {
  item: NotificationJson;
  confirming: Pending | undefined;
  open(pending: Pending): void;
  confirmFor(question: string): ReactNode;
}) {
  const { item, confirming } = props;
  const id = item.notification_id;
  if (confirming !== undefined && confirming.verb !== 'retry_all' && confirming.id === id) {
    return props.confirmFor(`${confirming.verb === 'retry' ? 'Retry' : 'Drop'} ${cleanLine(id)}?`);
  }
  return (
    <span className="row-actions">
      <button type="button" onClick={() => props.open({ verb: 'retry', id })} aria-keyshortcuts="r">
        Retry…
      </button>
      <button type="button" onClick={() => props.open({ verb: 'drop', id })} aria-keyshortcuts="d">
        Drop…
      </button>
    </span>
  );
}
