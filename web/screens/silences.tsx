// Silences (maintenance windows): those in force and those ended, with matcher, who, until and comment
// (view/outbox-text.ts). An operator creates one (component, optional type, how long, comment; `n`) and expires one
// after a confirm naming it (`x`); a viewer sees the list only, as on every other screen.

import { useEffect, useState } from 'react';
import type { SilenceJson } from '../../api/silence.js';
import { INCIDENT_TYPES } from '../../api/vocabulary.js';
import { SILENCE_COLUMNS, silenceCells, silenceRequest, silenceState, sortSilences, type SilenceDraft } from '../../view/outbox-text.js';
import { useDashboard, useScreenCommands } from '../dashboard-context.js';
import { describeFailure, gateway } from '../gateway-client.js';
import { movementCommands, useSelection } from '../use-selection.js';
import { useLatestOnly } from '../latest-load.js';
import { ActionForm } from '../widgets/action-form.js';
import { DataTable, ErrorNote } from '../widgets/basics.js';
import { InlineConfirm, NameField, useActingName } from '../widgets/confirm.js';
import { useOpenings } from '../widgets/openings.js';

const EMPTY_DRAFT: SilenceDraft = { component: '', incident_type: '', length: '2h', comment: '' };

export function SilencesScreen() {
  const { readOnly, now } = useDashboard();
  const [silences, setSilences] = useState<SilenceJson[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<string | undefined>();
  // The New silence form, and the expiry confirm by silence id: each answer closes only its own opening (openings.ts).
  const form = useOpenings<'new'>();
  const confirm = useOpenings<string>();
  const [busy, setBusy] = useState(false);
  const acting = useActingName();

  const reads = useLatestOnly();
  const load = () =>
    reads.run(
      () => gateway.silences(true),
      (list) => {
        setSilences(sortSilences(list));
        setError(undefined);
      },
      (failure: unknown) => setError(describeFailure(failure)),
    );
  // Read again as the clock ticks: a silence ends by itself.
  useEffect(() => {
    void load();
  }, [now]);

  const rows = silences ?? [];
  const selection = useSelection(rows.map((silence) => silence.silence_id));
  const expirable = (silence: SilenceJson | undefined) => silence !== undefined && silence.expired_at === null && silenceState(silence, now) !== 'ended';
  useScreenCommands({
    ...movementCommands(selection),
    new_silence: () => !readOnly && form.open('new'),
    expire: () => {
      const selected = rows.find((silence) => silence.silence_id === selection.key);
      if (!readOnly && expirable(selected)) confirm.open(selected!.silence_id);
    },
  });

  // `close` closes the form the change was made from, and only it: another may have been opened while the answer
  // was on its way, with what the person typed in it.
  const change = async (run: (who: string) => Promise<string>, close: () => void) => {
    setBusy(true);
    try {
      setOutcome(await run(acting.who()));
      setError(undefined);
      close();
      await load();
    } catch (failure) {
      setError(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="silences">
      <div className="panel-head">
        <h1>Silences</h1>
        {!readOnly && form.shown === undefined ? (
          <button type="button" onClick={() => form.open('new')} aria-keyshortcuts="n">
            New silence…
          </button>
        ) : null}
      </div>
      <p className="hint">While a silence matches an incident, the incident opens as usual but nobody is notified and no action runs by itself; when it ends, what is still open is notified.</p>
      {error !== undefined ? <ErrorNote>{error}</ErrorNote> : null}
      <p className="outcome" role="status" aria-live="polite">
        {busy ? 'Working…' : (outcome ?? '')}
      </p>
      {form.shown !== undefined && !readOnly ? (
        <SilenceForm
          busy={busy}
          acting={acting}
          onCancel={form.close}
          onSubmit={(draft) => {
            const result = silenceRequest(draft, '');
            if (!result.ok) {
              setError(result.error);
              return;
            }
            const opening = form.shown;
            void change(
              async (who) => {
                const created = await gateway.createSilence({ ...result.request, actor: who });
                return `Created ${created.silence_id}.`;
              },
              () => form.closeIf(opening),
            );
          }}
        />
      ) : null}
      {silences === undefined && error === undefined ? <p>Loading…</p> : null}
      {silences !== undefined ? (
        <DataTable
          stackWhenNarrow
          caption="Silences"
          captionHidden
          empty="No silences."
          columns={readOnly ? SILENCE_COLUMNS : [...SILENCE_COLUMNS, { header: 'Change' }]}
          rows={rows.map((silence, index) => {
            const action = readOnly
              ? []
              : [
                  !expirable(silence) ? (
                    ''
                  ) : confirm.shown?.key === silence.silence_id ? (
                    <InlineConfirm
                      question={`Expire ${silence.silence_id}?`}
                      busy={busy}
                      acting={acting}
                      onCancel={confirm.close}
                      onConfirm={() => {
                        const opening = confirm.shown;
                        void change(
                          async (who) => {
                            const expired = await gateway.expireSilence(silence.silence_id, who);
                            return `Expired ${expired.silence_id}.`;
                          },
                          () => confirm.closeIf(opening),
                        );
                      }}
                    />
                  ) : (
                    <button type="button" onClick={() => confirm.open(silence.silence_id)} aria-keyshortcuts="x">
                      Expire…
                    </button>
                  ),
                ];
            return {
              key: silence.silence_id,
              className: silence.active ? 'silence-active' : 'silence-ended',
              selected: index === selection.index,
              onSelect: () => selection.select(index),
              cells: [...silenceCells(silence, now), ...action],
            };
          })}
        />
      ) : null}
    </div>
  );
}

function SilenceForm(props: { busy: boolean; acting: ReturnType<typeof useActingName>; onSubmit(draft: SilenceDraft): void; onCancel(): void }) {
  const [draft, setDraft] = useState<SilenceDraft>(EMPTY_DRAFT);
  const field = (name: keyof SilenceDraft) => ({
    name,
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft((before) => ({ ...before, [name]: event.target.value })),
  });
  const ready = !props.busy && draft.component.trim() !== '' && draft.comment.trim() !== '' && draft.length.trim() !== '' && !(props.acting.needsName && props.acting.name.trim() === '');
  return (
    <ActionForm title="New silence" submit="Create silence" disabled={!ready} onCancel={props.onCancel} onSubmit={() => props.onSubmit(draft)}>
      <label>
        <span>Component</span>
        <input {...field('component')} autoFocus maxLength={200} spellCheck={false} autoComplete="off" />
      </label>
      <label>
        <span>Incident type (optional: every type when none)</span>
        <select {...field('incident_type')}>
          <option value="">any type</option>
          {INCIDENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>How long: a duration (30m, 2h, 1d) or until an ISO-8601 time</span>
        <input {...field('length')} maxLength={64} spellCheck={false} autoComplete="off" />
      </label>
      <label>
        <span>Comment (why; kept with the silence)</span>
        <input {...field('comment')} maxLength={1000} />
      </label>
      <NameField acting={props.acting} />
    </ActionForm>
  );
}
