// The small forms the dashboard's actions open (assign, resolve, mitigate, a new silence…): a titled form whose
// Escape cancels without reaching the screen's keys, with its submit and Cancel buttons.

import type { FormEvent, ReactNode } from 'react';

export function ActionForm(props: { title: string; onSubmit(event: FormEvent): void; onCancel(): void; children: ReactNode; submit: ReactNode; disabled?: boolean }) {
  return (
    <form
      className="action-form"
      aria-label={props.title}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(event);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          props.onCancel();
        }
      }}
    >
      <h3>{props.title}</h3>
      {props.children}
      <div className="form-buttons">
        <button type="submit" disabled={props.disabled}>
          {props.submit}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
