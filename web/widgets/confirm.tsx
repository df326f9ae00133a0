// What the Silences and Notifications screens share for a change: the name of who acts (asked here when the page has
// none, kept in this browser), and an inline confirm bound to one item (Cancel first, as the terminal UI's y/N
// defaults to no).

import { useState } from 'react';
import { useDashboard } from '../dashboard-context.js';

/** Who acts, and the field that asks for it while the page has no name. */
export function useActingName(): { needsName: boolean; name: string; setName(name: string): void; who(): string } {
  const { actor, setActor, actorFromToken } = useDashboard();
  const [name, setName] = useState('');
  const needsName = !actorFromToken && actor === '';
  return {
    needsName,
    name,
    setName,
    who() {
      if (!needsName) return actor;
      const given = name.trim();
      setActor(given); // remembered for the next change
      return given;
    },
  };
}

export function NameField({ acting }: { acting: ReturnType<typeof useActingName> }) {
  if (!acting.needsName) return null;
  return (
    <label className="name-field">
      <span>Your name (recorded with the change)</span>
      <input name="actor" aria-label="Your name" placeholder="your name" maxLength={100} value={acting.name} onChange={(event) => acting.setName(event.target.value)} />
    </label>
  );
}

/** `Expire sil_00001?` with Cancel: the question names the item it acts on. */
export function InlineConfirm(props: { question: string; busy: boolean; acting: ReturnType<typeof useActingName>; onConfirm(): void; onCancel(): void }) {
  const ready = !props.busy && !(props.acting.needsName && props.acting.name.trim() === '');
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <NameField acting={props.acting} />
      <button type="button" autoFocus onClick={props.onCancel}>
        Cancel
      </button>
      <button type="button" className="danger" disabled={!ready} onClick={props.onConfirm}>
        {props.question}
      </button>
    </span>
  );
}
