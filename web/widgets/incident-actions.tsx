// The seed's dashboard buttons for one incident: acknowledge, assign, mitigate, resolve, close, export. Each change is
// recorded with who made it: the token's name on a token-protected dashboard, else the name the page asks for once
// (kept in this browser). Mitigation lists the actions that apply; a safe one runs after a confirm, a medium or high one
// only with the approver's name and the incident's id typed out, as the terminal UI asks.

import { useEffect, useRef, useState } from 'react';
import { ActionForm } from './action-form.js';
import type { Openings } from './openings.js';
import type { ActionListJson, ActionViewJson, IncidentJson } from '../../api/incident.js';
import { isOpenStatus } from '../../api/vocabulary.js';
import { ACTION_COLUMNS, actionCells, approvalNote } from '../../view/incident-text.js';
import { cleanLine } from '../../view/text.js';
import { useDashboard } from '../dashboard-context.js';
import { describeFailure, gateway, GatewayError } from '../gateway-client.js';
import type { IncidentAction } from '../screens/incident-keys.js';

export type ActionPanel = Exclude<IncidentAction, 'acknowledge' | 'export'>;

type Outcome = { ok: boolean; text: string };

export interface IncidentActionsProps {
  /** As listed (d2/inc_… in a fleet): what the gateway takes back. */
  id: string;
  incident: IncidentJson;
  onChanged(incident: IncidentJson): void;
  /** The action panel shown (the screen opens one from a key, or `?do=…` from a list). */
  panels: Openings<ActionPanel>;
  /** Acknowledge now (from a key): bumps to run it once. */
  acknowledgeRequest: number;
}

export function IncidentActions(props: IncidentActionsProps) {
  const { actor, setActor, actorFromToken, readOnly } = useDashboard();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [pending, setPending] = useState<((who: string) => Promise<void>) | undefined>();
  const { incident, id, panels } = props;
  const panel = panels.shown?.key ?? null;
  const open = isOpenStatus(incident.status);

  /**
   * Runs a change as `actor`, asking for a name first when the page has none. Once done, a change made from a panel
   * (`fromPanel`) closes the opening of it that it was made from, if still shown (openings.ts).
   */
  const act = (change: (who: string) => Promise<IncidentJson | string>, fromPanel = false) => {
    const madeFrom = fromPanel ? panels.shown : undefined;
    const run = async (who: string) => {
      setBusy(true);
      setOutcome(undefined);
      try {
        const result = await change(who);
        if (typeof result === 'string') setOutcome({ ok: true, text: result });
        else {
          props.onChanged(result);
          setOutcome({ ok: true, text: 'Done.' });
          panels.closeIf(madeFrom);
        }
      } catch (error) {
        setOutcome({ ok: false, text: describeFailure(error) });
      } finally {
        setBusy(false);
      }
    };
    if (!actorFromToken && actor === '') {
      setPending(() => run); // asked for a name first; the change runs once it is given
      return;
    }
    void run(actor);
  };

  const acknowledge = () => act((who) => gateway.acknowledge(id, who));
  const lastAck = useRef(props.acknowledgeRequest);
  useEffect(() => {
    if (props.acknowledgeRequest !== lastAck.current) {
      lastAck.current = props.acknowledgeRequest;
      if (!readOnly && open && !incident.acknowledged) acknowledge();
    }
  }, [props.acknowledgeRequest]);

  if (readOnly) {
    return (
      <div className="actions" role="group" aria-label="Export">
        <ExportLinks id={id} />
      </div>
    );
  }

  return (
    <div className="incident-actions">
      <div className="actions" role="group" aria-label="Actions">
        <button type="button" onClick={acknowledge} disabled={busy || !open || incident.acknowledged} aria-keyshortcuts="a">
          {incident.acknowledged ? 'Acknowledged' : 'Acknowledge'}
        </button>
        <button type="button" onClick={() => panels.toggle('assign')} aria-expanded={panel === 'assign'} disabled={!open} aria-keyshortcuts="s">
          Assign…
        </button>
        <button type="button" onClick={() => panels.toggle('mitigate')} aria-expanded={panel === 'mitigate'} disabled={!open} aria-keyshortcuts="m">
          Mitigate…
        </button>
        <button type="button" onClick={() => panels.toggle('resolve')} aria-expanded={panel === 'resolve'} disabled={!open} aria-keyshortcuts="r">
          Resolve…
        </button>
        <button type="button" onClick={() => panels.toggle('close')} aria-expanded={panel === 'close'} disabled={incident.status !== 'resolved'} aria-keyshortcuts="c">
          Close…
        </button>
        <ExportLinks id={id} />
      </div>
      {pending !== undefined ? (
        <NameForm
          onName={(name) => {
            setActor(name);
            const run = pending;
            setPending(undefined);
            // The name reaches the context on the next render; this change takes it now.
            void run(name);
          }}
          onCancel={() => setPending(undefined)}
        />
      ) : null}
      {panel === 'assign' ? (
        <AssignForm
          current={incident.assigned_to ?? ''}
          busy={busy}
          onCancel={panels.close}
          onSubmit={(assignee) => act((who) => gateway.assign(id, assignee, who), true)}
        />
      ) : null}
      {panel === 'resolve' ? (
        <NotesForm
          title="Resolve"
          label="Resolution notes"
          required
          submit="Resolve"
          busy={busy}
          onCancel={panels.close}
          onSubmit={(notes) => act((who) => gateway.resolve(id, notes, who), true)}
        />
      ) : null}
      {panel === 'close' ? (
        <NotesForm title="Close" label="Closing notes (optional)" submit="Close incident" busy={busy} onCancel={panels.close} onSubmit={(notes) => act((who) => gateway.close(id, notes, who), true)} />
      ) : null}
      {panel === 'mitigate' ? (
        <MitigateForm
          id={id}
          busy={busy}
          onCancel={panels.close}
          onRun={(request) =>
            act(async (who) => {
              const result = await gateway.mitigate(id, request, who).catch((error: unknown) => {
                // The daemon words it for the CLI; here the approver's name goes in a field.
                if (error instanceof GatewayError) throw new GatewayError(error.message.replace('--approved-by NAME', 'the approver’s name'), error.status, error.kind);
                throw error;
              });
              props.onChanged(result.incident);
              return cleanLine(result.summary);
            })
          }
        />
      ) : null}
      <p className={`outcome ${outcome?.ok === false ? 'error-note' : ''}`} role={outcome?.ok === false ? 'alert' : 'status'} aria-live="polite">
        {busy ? 'Working…' : (outcome?.text ?? '')}
      </p>
    </div>
  );
}

function ExportLinks({ id }: { id: string }) {
  return (
    <>
      <a className="button" href={gateway.postmortemHref(id)} download data-export="postmortem" aria-keyshortcuts="e" title="The post-mortem as Markdown">
        Export post-mortem
      </a>
      <a className="button" href={gateway.exportHref(id)} download data-export="incident" title="The incident with its timeline and audit log, as JSON">
        Export JSON
      </a>
    </>
  );
}

/** Asked once per browser when the dashboard has no tokens: who is recorded as acting. */
function NameForm(props: { onName(name: string): void; onCancel(): void }) {
  const [name, setName] = useState('');
  return (
    <ActionForm title="Who is acting?" submit="Continue" disabled={name.trim() === ''} onCancel={props.onCancel} onSubmit={() => props.onName(name.trim())}>
      <label>
        <span>Your name (recorded with every change you make here)</span>
        <input name="actor" value={name} autoFocus maxLength={100} autoComplete="name" onChange={(event) => setName(event.target.value)} />
      </label>
    </ActionForm>
  );
}

function AssignForm(props: { current: string; busy: boolean; onSubmit(assignee: string): void; onCancel(): void }) {
  const [assignee, setAssignee] = useState(props.current);
  return (
    <ActionForm title="Assign" submit={assignee.trim() === '' ? 'Unassign' : 'Assign'} disabled={props.busy} onCancel={props.onCancel} onSubmit={() => props.onSubmit(assignee.trim())}>
      <label>
        <span>Assign to (empty: unassign)</span>
        <input name="assignee" value={assignee} autoFocus maxLength={100} onChange={(event) => setAssignee(event.target.value)} />
      </label>
    </ActionForm>
  );
}

function NotesForm(props: { title: string; label: string; submit: string; required?: boolean; busy: boolean; onSubmit(notes: string): void; onCancel(): void }) {
  const [notes, setNotes] = useState('');
  return (
    <ActionForm
      title={props.title}
      submit={props.submit}
      disabled={props.busy || (props.required === true && notes.trim() === '')}
      onCancel={props.onCancel}
      onSubmit={() => props.onSubmit(notes.trim())}
    >
      <label>
        <span>{props.label}</span>
        <textarea name="notes" value={notes} autoFocus rows={3} maxLength={4000} required={props.required} onChange={(event) => setNotes(event.target.value)} />
      </label>
    </ActionForm>
  );
}

function MitigateForm(props: { id: string; busy: boolean; onRun(request: { action_id: string; approved_by?: string; dry_run?: boolean }): void; onCancel(): void }) {
  const [list, setList] = useState<ActionListJson | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [chosen, setChosen] = useState<string | undefined>();
  const [approver, setApprover] = useState('');
  const [typedId, setTypedId] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  useEffect(() => {
    gateway.actions(props.id).then(setList, (failure: unknown) => setError(describeFailure(failure)));
  }, [props.id, props.busy]);
  const action: ActionViewJson | undefined = list?.actions.find((candidate) => candidate.action_id === chosen);
  const gated = action !== undefined && action.risk !== 'safe';
  // A risky action runs only once the id is typed as it is listed: the same guard the terminal UI puts before it.
  const ready = action !== undefined && (gated ? typedId.trim() === props.id : confirmed) && !props.busy;
  const note = list === undefined ? undefined : approvalNote(list.actions, "the approver's name");
  return (
    <ActionForm
      title="Mitigate"
      submit={dryRun ? 'Dry run' : 'Run action'}
      disabled={!ready}
      onCancel={props.onCancel}
      onSubmit={() => {
        if (action === undefined) return;
        props.onRun({ action_id: action.action_id, ...(gated && approver.trim() !== '' ? { approved_by: approver.trim() } : {}), ...(dryRun ? { dry_run: true } : {}) });
      }}
    >
      {error !== undefined ? <p className="error-note">{error}</p> : null}
      {list === undefined && error === undefined ? <p>Loading the actions…</p> : null}
      {list !== undefined ? (
        <fieldset>
          <legend>Actions that apply</legend>
          {list.actions.length === 0 ? <p className="empty">No remediation action applies to this incident.</p> : null}
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Choose</span>
                  </th>
                  {ACTION_COLUMNS.map((column) => (
                    <th key={column.header} scope="col">
                      {column.header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {list.actions.map((candidate) => (
                  <tr key={candidate.action_id}>
                    <td>
                      <input
                        type="radio"
                        name="action"
                        value={candidate.action_id}
                        aria-label={`Choose ${cleanLine(candidate.action_id)} (${candidate.risk} risk)`}
                        checked={chosen === candidate.action_id}
                        onChange={() => {
                          setChosen(candidate.action_id);
                          setConfirmed(false);
                          setTypedId('');
                        }}
                      />
                    </td>
                    {actionCells(candidate).map((cell, index) => (
                      <td key={index}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.manual_steps.length > 0 ? (
            <details>
              <summary>Manual steps</summary>
              <ol>
                {list.manual_steps.map((step, index) => (
                  <li key={index}>{cleanLine(step)}</li>
                ))}
              </ol>
            </details>
          ) : null}
          {note !== undefined ? <p className="hint">{note}</p> : null}
        </fieldset>
      ) : null}
      {action !== undefined && gated ? (
        <div className="approval">
          <p>
            <strong>{cleanLine(action.action_id)}</strong> is {action.risk} risk: it runs only with the name of who approved it
            {action.approvers.length > 0 ? ` (${action.approvers.map(cleanLine).join(', ')})` : ''}.
          </p>
          <label>
            <span>Approved by</span>
            <input name="approved_by" value={approver} maxLength={100} onChange={(event) => setApprover(event.target.value)} />
          </label>
          <label>
            <span>
              Type <code>{props.id}</code> to confirm
            </span>
            <input name="confirm_id" value={typedId} autoComplete="off" spellCheck={false} onChange={(event) => setTypedId(event.target.value)} />
          </label>
        </div>
      ) : null}
      {action !== undefined && !gated ? (
        <label className="check">
          <input type="checkbox" name="confirm" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
          <span>Run {cleanLine(action.action_id)} now</span>
        </label>
      ) : null}
      {action !== undefined ? (
        <label className="check">
          <input type="checkbox" name="dry_run" checked={dryRun} onChange={(event) => setDryRun(event.target.checked)} />
          <span>Dry run (show what would run; run nothing)</span>
        </label>
      ) : null}
    </ActionForm>
  );
}
