// Small pieces every screen uses: severity and status labels (words first, colour only as a second cue), field lists,
// tables with real headers, and notes for failures. Every string here arrives as a React child: it is text, never
// markup.

import type { ReactNode } from 'react';
import type { Severity } from '../../api/vocabulary.js';
import type { ColumnSpec, DetailField } from '../../view/incident-text.js';
import { label } from '../../view/format.js';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge sev-${severity}`}>{label(severity)}</span>;
}

export function FieldList({ fields, className }: { fields: readonly DetailField[]; className?: string }) {
  return (
    <dl className={className ?? 'fields'}>
      {fields.map((field, index) => (
        <div key={index} className="field">
          <dt>{field.label.trim() === '' ? <span className="visually-hidden">(continued)</span> : field.label.trim()}</dt>
          <dd>{field.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table of text cells under ColumnSpec headers (view/), rows keyed by `rowKey`. */
export function DataTable(props: {
  caption: string;
  columns: readonly ColumnSpec[];
  rows: ReadonlyArray<{ key: string; cells: readonly ReactNode[]; className?: string; selected?: boolean; onSelect?: () => void }>;
  empty?: string;
  captionHidden?: boolean;
  /**
   * On a phone, each row as a card of labelled cells instead of a table wider than the screen (where a focused
   * button scrolls the row's name out of sight). For tables read a row at a time: silences, dead letters, rules.
   */
  stackWhenNarrow?: boolean;
}) {
  return (
    <div className="table-scroll">
      <table className={props.stackWhenNarrow ? 'stack-narrow' : undefined}>
        <caption className={props.captionHidden ? 'visually-hidden' : undefined}>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column.header} scope="col" className={column.align === 'right' ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} className="empty">
                {props.empty ?? 'None.'}
              </td>
            </tr>
          ) : (
            props.rows.map((row) => (
              <tr key={row.key} className={[row.className, row.selected ? 'selected' : ''].filter(Boolean).join(' ') || undefined} aria-selected={row.selected} onClick={row.onSelect}>
                {row.cells.map((cell, index) => (
                  <td key={index} className={props.columns[index]?.align === 'right' ? 'num' : undefined} data-label={props.stackWhenNarrow ? props.columns[index]?.header : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <p className="error-note" role="alert">
      {children}
    </p>
  );
}

/** A panel with a heading (a region landmark named by it). */
export function Panel(props: { title: string; id: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`panel ${props.className ?? ''}`} aria-labelledby={`${props.id}-title`}>
      <div className="panel-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
