// Help (`?`): every key, generated from the key map (view/keymap.ts), so it cannot drift from what the keys do. With
// --read-only the commands that change anything are not there (the map leaves them out).

import { formatClock } from '../../view/format.js';
import { KEYMAP, availableCommands, commandsOn, type Binding, type Screen } from '../../view/keymap.js';
import { line, textLine, wrapText, type Line } from '../lines.js';
import { blank, heading, note, pane, type ScreenInput, type ScreenOutput } from './common.js';

const KEY_WIDTH = 12;

export function helpLines(input: ScreenInput, under: Screen): Line[] {
  const options = { readOnly: input.readOnly };
  // A long description wraps under itself, the key column left free.
  const keyLines = (binding: Binding): Line[] =>
    wrapText(binding.description, Math.max(20, input.width - 2 - KEY_WIDTH)).map((piece, index) =>
      line(input.width, input.theme)
        .add('  ')
        .cell(index === 0 ? binding.label : '', KEY_WIDTH, input.theme.key)
        .add(piece)
        .done(),
    );
  const out: Line[] = [heading(input, `Keys on the ${under} screen`)];
  for (const command of commandsOn(under, options)) out.push(...keyLines(KEYMAP[command]));
  out.push(blank(), heading(input, 'Every key'));
  for (const command of availableCommands(options)) out.push(...keyLines(KEYMAP[command]));
  out.push(
    blank(),
    heading(input, 'Prompts'),
    textLine(input.width, input.theme, '  Enter accepts, Esc cancels; y/N questions take y to go ahead, anything else is No.'),
    textLine(input.width, input.theme, '  Medium and high risk actions ask for the approver’s name, then for the incident id typed out.'),
    textLine(input.width, input.theme, '  Backspace deletes a character, Ctrl-U the line, Ctrl-W a word.'),
  );
  if (input.readOnly) out.push(blank(), note(input, 'Read-only: the keys that change incidents and rules are off.'));
  const log = input.ui.messageLog;
  if (log.length > 0) {
    // The message line shows one line of the latest message; here each is whole, newest first.
    out.push(blank(), heading(input, 'Messages', 'newest first'));
    for (let i = log.length - 1; i >= 0; i--) {
      const message = log[i]!;
      const style = message.kind === 'error' ? input.theme.error : {};
      const prefix = message.kind === 'error' && !input.theme.colour ? 'error: ' : '';
      const at = formatClock(new Date(message.at).toISOString());
      wrapText(`${prefix}${message.text}`, Math.max(20, input.width - 2 - KEY_WIDTH)).forEach((piece, index) =>
        out.push(line(input.width, input.theme).add('  ').cell(index === 0 ? at : '', KEY_WIDTH, input.theme.dim).add(piece, style).done()),
      );
    }
  }
  return out;
}

export function buildHelp(input: ScreenInput, scroll: number, under: Screen): ScreenOutput {
  const all = helpLines(input, under);
  const lines = pane(input, all, scroll, input.height);
  return { lines, rows: [], pageSize: input.height, paneLines: all.length };
}
