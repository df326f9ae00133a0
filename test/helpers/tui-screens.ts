// The screens the snapshot tests visit, how to reach each, and what every frame must satisfy (tui/screens.test.ts,
// tui/hostile.test.ts).

import { expect } from 'vitest';
import { displayWidth } from '../../view/text.js';
import { GIVE_BACK, TAKE_OVER } from '../../tui/terminal.js';
import { KEY, startTui, type TuiSession, type TuiSessionOptions } from './tui-session.js';

/** The screens, each reached from the overview by these keys (1 first: a known starting point). */
export const SCREENS: Array<[name: string, keys: string[]]> = [
  ['overview', ['1']],
  ['incidents', ['2']],
  ['incidents-filtered', ['2', ':severity critical,medium\r']],
  ['incident-summary', ['2', KEY.enter]],
  ['incident-timeline', ['2', KEY.enter, KEY.tab]],
  ['incident-actions', ['2', KEY.enter, KEY.tab, KEY.tab]],
  ['incident-postmortem', ['2', KEY.enter, KEY.tab, KEY.tab, KEY.tab]],
  ['trace', ['1', 't']],
  ['trace-from-incident', ['2', KEY.enter, 't']],
  ['trace-root-cause-selected', ['1', 't', 'jjjjjj']],
  ['trace-span-attributes', ['1', 't', 'jjjjjj', KEY.tab, 'G']],
  ['trace-collapsed', ['1', 't', 'jjj', KEY.space]],
  ['components', ['3']],
  ['rules', ['4']],
  ['help', ['1', '?']],
  ['mitigate-actions', ['1', 'm']],
  ['mitigate-approver', ['1', 'm', 'j', KEY.enter, 'car']],
  ['mitigate-wrong-id', ['1', 'm', 'j', KEY.enter, 'carol\r', 'inc_00124\r']],
];

export async function visit(session: TuiSession, keys: string[]): Promise<void> {
  await session.press(KEY.escape, KEY.escape, '1'); // close any prompt, back to the overview
  for (const key of keys) await session.type(key);
}

/**
 * Visits `screens` in one TUI session of the given size, checks each frame's layout and compares it with its reviewed
 * snapshot `__screens__/<columns>x<rows>/<name>.txt` (beside the calling test).
 */
export async function matchScreenSnapshots(screens: ReadonlyArray<[name: string, keys: string[]]>, options: TuiSessionOptions & { columns: number; rows: number }): Promise<void> {
  const session = await startTui(options);
  try {
    for (const [name, keys] of screens) {
      await visit(session, keys);
      checkLayout(session);
      await expect(session.screen()).toMatchFileSnapshot(`__screens__/${options.columns}x${options.rows}/${name}.txt`);
    }
  } finally {
    await session.quit();
  }
}

/** What every frame must satisfy, whatever it shows. */
export function checkLayout(session: TuiSession): void {
  const { columns, rows } = session.terminal;
  const frame = session.writer.lines();
  expect(frame.length).toBeLessThanOrEqual(rows - 1);
  for (const line of frame) expect(displayWidth(line.replace(/\u001b\[[0-9;]*m/g, ''))).toBeLessThanOrEqual(columns);
  const screen = session.terminal.lines();
  expect(screen[0]).toMatch(/^ firewatch /);
  expect(screen[rows - 1]).toBe(''); // the last row is never written: nothing can scroll
}

/**
 * Escape sequences written other than ours (SGR, row addressing, erase, line insert/delete in a scroll region,
 * synchronized output, take-over/give-back).
 */
export function foreignSequences(written: string): string[] {
  const ours = written
    .split(TAKE_OVER)
    .join('')
    .split(GIVE_BACK)
    .join('')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/\u001b\[\d+;1H/g, '')
    .replace(/\u001b\[2K|\u001b\[H|\u001b\[2J|\u001b\[\?2026[hl]|\u001b\[\d+[LM]|\u001b\[1;\d+r|\u001b\[r/g, '');
  return [...ours.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].map((match) => JSON.stringify(ours.slice(Math.max(0, match.index - 10), match.index + 10)));
}

