// A whole frame, top to bottom, as lines (pure): what the terminal shows and, from the same computation, what keys act
// on (uiContext), so a key always acts on what is drawn.
//
//   header   firewatch  Overview › Incidents › inc_00007        filter …   open 3 · unack 2 · approvals 1 · ● live
//   body     the screen (screens/*.ts), padded to its height
//   bottom   the open prompt (one line, or the mitigate list), else the message line
//   footer   the keys of this screen (view/keymap.ts footerHints), or the prompt's keys
//
// The frame is rows - 1 lines tall: Ink 6.8 treats a frame as tall as the terminal as "full screen" and clears the
// terminal on every update (TUI-NOTES.md); the writer keeps the last row empty as well.

import { countPendingApprovals } from '../view/approvals.js';
import { describeFilter, isEmptyFilter } from '../view/filters.js';
import { label } from '../view/format.js';
import { ACTION_COLUMNS, actionCells } from '../view/incident-text.js';
import { displayId, type IncidentsState } from '../view/incidents-state.js';
import { footerHints } from '../view/keymap.js';
import { deadLetters, overviewNumbers } from '../view/overview.js';
import { displayWidth } from '../view/text.js';
import { EMPTY_LINE, line, textLine, type Line } from './lines.js';
import type { ResourceStore } from './resources.js';
import { buildComponents } from './screens/components.js';
import { rule as ruleLine, table, type ScreenInput, type ScreenOutput } from './screens/common.js';
import { buildHelp } from './screens/help.js';
import { buildIncident } from './screens/incident.js';
import { buildIncidents } from './screens/incidents.js';
import { buildOverview } from './screens/overview.js';
import { buildNotifications, buildSilences, outboxContext, outboxPromptHints, outboxPromptLines } from './screens/outbox.js';
import { buildRules, ruleRef, ruleRows } from './screens/rules.js';
import { buildTrace } from './screens/trace.js';
import { MIN_COLUMNS, MIN_ROWS, isTooSmall, type Size } from './terminal.js';
import type { Theme } from './theme.js';
import { isOutboxPrompt } from './outbox.js';
import { currentView, type IncidentRef, type Prompt, type UiContext, type UiState, type View } from './ui-state.js';

export type FrameInput = {
  incidents: IncidentsState;
  ui: UiState;
  resources: ResourceStore;
  theme: Theme;
  now: number;
  readOnly: boolean;
  size: Size;
};

export type Frame = {
  lines: Line[];
  screen: ScreenOutput;
  tooSmall: boolean;
};

const NO_SCREEN: ScreenOutput = { lines: [], rows: [], pageSize: 1, paneLines: 0 };

/** Rows a frame may take on a terminal of `rows` rows. */
export function frameHeight(rows: number): number {
  return Math.max(1, rows - 1);
}

export function buildFrame(input: FrameInput): Frame {
  const { size } = input;
  const height = frameHeight(size.rows);
  if (isTooSmall(size)) return { lines: tooSmallLines(input).slice(0, height), screen: NO_SCREEN, tooSmall: true };
  const width = size.columns;
  const bottom = bottomLines(input, height);
  const bodyHeight = Math.max(1, height - 2 - bottom.length);
  const screenInput = screenInputOf(input, width, bodyHeight);
  const screen = buildScreen(screenInput, currentView(input.ui));
  const body = screen.lines.slice(0, bodyHeight);
  while (body.length < bodyHeight) body.push(EMPTY_LINE);
  return { lines: [headerLine(input), ...body, ...bottom, footerLine(input)], screen, tooSmall: false };
}

function buildScreen(input: ScreenInput, view: View): ScreenOutput {
  switch (view.screen) {
    case 'overview':
      return buildOverview(input);
    case 'incidents':
      return buildIncidents(input);
    case 'incident':
      return buildIncident(input, view);
    case 'trace':
      return buildTrace(input, view);
    case 'components':
      return buildComponents(input);
    case 'rules':
      return buildRules(input);
    case 'silences':
      return buildSilences(input);
    case 'notifications':
      return buildNotifications(input);
    case 'help': {
      const under = input.ui.stack[input.ui.stack.length - 2]?.screen ?? 'overview';
      return buildHelp(input, view.scroll, under === 'help' ? 'overview' : under);
    }
  }
}

function tooSmallLines(input: FrameInput): Line[] {
  const { size, theme } = input;
  const times = theme.ascii ? 'x' : '×';
  return [
    textLine(size.columns, theme, `firewatch needs at least ${MIN_COLUMNS}${times}${MIN_ROWS};`, theme.bold),
    textLine(size.columns, theme, `this terminal is ${size.columns}${times}${size.rows}.`),
    textLine(size.columns, theme, 'Enlarge it, or press q to quit.', theme.dim),
  ];
}

function crumb(view: View): string {
  switch (view.screen) {
    case 'overview':
      return 'Overview';
    case 'incidents':
      return 'Incidents';
    case 'components':
      return 'Components';
    case 'rules':
      return 'Rules';
    case 'silences':
      return 'Silences';
    case 'notifications':
      return 'Notifications';
    case 'help':
      return 'Help';
    case 'incident':
      return view.target.display;
    case 'trace':
      return `trace ${(view.traceIds[view.traceIndex] ?? '').slice(0, 8)}`;
  }
}

function connectionText(input: FrameInput): { text: string; state: 'connected' | 'connecting' | 'reconnecting' } {
  const { connections } = input.incidents;
  const live = connections.filter((connection) => connection.state === 'connected').length;
  const away = connections.filter((connection) => connection.state === 'reconnecting');
  const { glyphs } = input.theme;
  if (connections.length <= 1) {
    const only = connections[0];
    if (only === undefined || only.state === 'connecting') return { text: `${glyphs.away} connecting`, state: 'connecting' };
    if (only.state === 'reconnecting') return { text: `${glyphs.away} reconnecting (attempt ${only.attempt})`, state: 'reconnecting' };
    return { text: `${glyphs.live} live`, state: 'connected' };
  }
  const names = away.map((connection) => `d${connection.member + 1}`).join(',');
  return {
    text: `${live === connections.length ? glyphs.live : glyphs.away} ${live}/${connections.length} live${away.length > 0 ? `, ${names} reconnecting` : ''}`,
    state: away.length > 0 ? 'reconnecting' : live === connections.length ? 'connected' : 'connecting',
  };
}

function headerLine(input: FrameInput): Line {
  const { theme, size } = input;
  const width = size.columns;
  const numbers = overviewNumbers(input.incidents, input.now);
  const approvals = countPendingApprovals([...input.incidents.entries.values()].map((entry) => entry.incident));
  const { glyphs } = theme;
  const dead = deadLetters(input.incidents) ?? 0;
  const countsText = (approvalsWord: string, deadWord: string): string =>
    `open ${numbers.active_incidents} ${glyphs.separator} unack ${numbers.unacknowledged} ${glyphs.separator} ${approvalsWord} ${approvals}` +
    // Only when there are some: an empty outbox is the normal state and the header is narrow.
    (dead > 0 ? ` ${glyphs.separator} ${deadWord} ${dead}` : '');
  const connection = connectionText(input);
  const names = input.ui.stack.map(crumb);
  const filter = isEmptyFilter(input.ui.filter) ? '' : `  filter: ${describeFilter(input.ui.filter)}`;
  const built = line(width, theme).add(' firewatch  ', { ...theme.header, bold: true });
  const rightWidthOf = (text: string) => displayWidth(theme.text(text)) + displayWidth(theme.text(connection.text)) + 1;
  // The connection state must never be cut: where the counts leave no room for the current screen's name, they
  // take their short words.
  let right = ` ${countsText('approvals', 'dead letters')}  `;
  const currentCrumb = displayWidth(theme.text(names[names.length - 1] ?? ''));
  if (width - rightWidthOf(right) - built.done().width < currentCrumb) right = ` ${countsText('appr', 'dead')}  `;
  const rightWidth = rightWidthOf(right);
  const leftRoom = Math.max(0, width - rightWidth - built.done().width);
  // The nearest screens matter most: the oldest crumbs give way first, whole, with an ellipsis for them.
  let crumbsShown = names.join(` ${glyphs.breadcrumb} `);
  for (let dropped = 1; displayWidth(theme.text(crumbsShown)) > leftRoom && dropped < names.length; dropped++) {
    crumbsShown = [glyphs.ellipsis, ...names.slice(dropped)].join(` ${glyphs.breadcrumb} `);
  }
  built.add(crumbsShown, theme.header);
  if (filter !== '' && displayWidth(crumbsShown) + displayWidth(filter) <= leftRoom) built.add(filter, theme.header);
  built.padTo(Math.max(built.done().width, width - rightWidth), theme.header);
  built.add(right, theme.header).add(connection.text, { ...theme.header, ...theme.connection(connection.state), inverse: connection.state === 'connected' }).add(' ', theme.header);
  return built.fill(theme.header).done();
}

function footerLine(input: FrameInput): Line {
  const { theme, size } = input;
  const prompt = input.ui.prompt;
  const hints = prompt !== null ? promptHints(prompt) : footerHints(currentView(input.ui).screen, { readOnly: input.readOnly });
  // What does not fit goes, the most obvious first (moving, back, open: every screen has them and help lists them),
  // then from the end of the screen's own keys; help and quit always stay.
  const widthOf = (list: typeof hints) => list.reduce((sum, hint) => sum + displayWidth(theme.text(`${hint.keys} ${hint.hint}`)) + 2, 0);
  const shown = [...hints];
  for (const obvious of FOOTER_DROP_FIRST) {
    if (widthOf(shown) <= size.columns) break;
    const index = shown.findIndex((hint) => hint.hint === obvious);
    if (index >= 0) shown.splice(index, 1);
  }
  while (shown.length > 2 && widthOf(shown) > size.columns) shown.splice(shown.length - 3, 1);
  const built = line(size.columns, theme);
  for (const hint of shown) built.add('  ').add(hint.keys, theme.key).add(` ${hint.hint}`, theme.dim);
  return built.done();
}

/** Footer hints (view/keymap.ts hint words) left out first when the footer is too narrow. */
const FOOTER_DROP_FIRST = ['down', 'back', 'open', 'tab', 'trace', 'next trace', 'prev trace', 'export'];

function promptHints(prompt: Prompt): Array<{ keys: string; hint: string }> {
  if (isOutboxPrompt(prompt)) return outboxPromptHints(prompt);
  switch (prompt.kind) {
    case 'close':
    case 'rule':
    case 'confirm-action':
      return [
        { keys: 'y', hint: 'yes' },
        { keys: 'n', hint: 'no (default)' },
        { keys: 'Esc', hint: 'cancel' },
      ];
    case 'actions':
      return [
        { keys: 'j/k', hint: 'choose' },
        { keys: 'Enter', hint: 'run' },
        { keys: 'Esc', hint: 'cancel' },
      ];
    case 'filter':
    case 'list-filter':
      return [
        { keys: 'Enter', hint: 'keep' },
        { keys: 'Esc', hint: 'undo' },
        { keys: 'Ctrl-U', hint: 'clear' },
      ];
    default:
      return [
        { keys: 'Enter', hint: 'accept' },
        { keys: 'Esc', hint: 'cancel' },
        { keys: 'Ctrl-U', hint: 'clear' },
      ];
  }
}

/** The prompt's lines, or the message line (one line, empty when there is nothing to say). */
function bottomLines(input: FrameInput, height: number): Line[] {
  const { theme, size } = input;
  const width = size.columns;
  const prompt = input.ui.prompt;
  if (prompt === null) {
    const message = input.ui.message;
    if (message === null) {
      // Nothing to say: say why a daemon is away (the header only says that it is).
      const away = input.incidents.connections.find((connection) => connection.state === 'reconnecting');
      if (away === undefined) return [EMPTY_LINE];
      const where = input.incidents.connections.length > 1 ? `d${away.member + 1} ` : '';
      return [textLine(width, theme, ` ${where}${away.address}: ${away.error || 'not answering'}; retrying (attempt ${away.attempt})`, theme.error)];
    }
    // One line, whatever its length: a long message (a path, a daemon's refusal) is cut with an ellipsis rather than
    // wrapped (three lines pushed the screen up and back); the help screen (?) keeps it in full.
    const prefix = message.kind === 'error' && !theme.colour ? 'error: ' : '';
    const style = message.kind === 'error' ? theme.error : theme.info;
    return [textLine(width, theme, ` ${prefix}${message.text}`, style)];
  }
  const cursor = { text: '_', style: theme.selected };
  const ask = (question: string, value: string, extra?: Line): Line[] => {
    const built = line(width, theme).add(` ${question}`, theme.bold).add(value);
    if (built.room > 0) built.add(cursor.text, cursor.style);
    return extra ? [extra, built.done()] : [built.done()];
  };
  if (isOutboxPrompt(prompt)) return outboxPromptLines(width, theme, prompt);
  switch (prompt.kind) {
    case 'filter':
      return ask('/', prompt.value);
    case 'list-filter':
      return ask('/', prompt.value);
    case 'command':
      return ask(':', prompt.value);
    case 'assign':
      return ask(`Assign ${prompt.target.display} to: `, prompt.value);
    case 'resolve':
      return ask(`Resolve ${prompt.target.display}. Notes (optional): `, prompt.value);
    case 'close':
      return [textLine(width, theme, ` Close ${prompt.target.display}? y/N`, theme.bold)];
    case 'rule':
      return [textLine(width, theme, ` ${prompt.enable ? 'Enable' : 'Disable'} rule ${prompt.rule.rule_id} (${prompt.rule.name})? y/N`, theme.bold)];
    case 'confirm-action':
      return [
        textLine(
          width,
          theme,
          ` Run ${prompt.action.action_id} (${label(prompt.action.risk)}: ${prompt.action.effect ?? 'not configured'}) on ${prompt.target.display}? y/N`,
          theme.bold,
        ),
      ];
    case 'approver':
      return ask(`${prompt.action.action_id} is ${label(prompt.action.risk)} risk. Approver’s name: `, prompt.value);
    case 'type-id': {
      const errorLine = prompt.error !== '' ? textLine(width, theme, ` ${theme.colour ? '' : 'error: '}${prompt.error}`, theme.error) : undefined;
      return ask(`Type ${prompt.target.incident_id} to run ${prompt.action.action_id} approved by ${prompt.approver}: `, prompt.value, errorLine);
    }
    case 'actions':
      return actionsPromptLines(input, prompt, height);
  }
}

/** What a screen builder sees of the frame's input: the state, and the `width` × `height` it may fill. */
function screenInputOf(input: FrameInput, width: number, height: number): ScreenInput {
  return {
    incidents: input.incidents,
    ui: input.ui,
    resources: input.resources,
    theme: input.theme,
    now: input.now,
    readOnly: input.readOnly,
    width,
    height,
  };
}

function actionsPromptLines(input: FrameInput, prompt: Extract<Prompt, { kind: 'actions' }>, height: number): Line[] {
  const { theme, size } = input;
  const width = size.columns;
  const screenInput = screenInputOf(input, width, height);
  const out: Line[] = [ruleLine(screenInput, width, `Mitigate ${prompt.target.display}`)];
  if (prompt.error !== '') {
    out.push(textLine(width, theme, ` could not list the actions: ${prompt.error}`, theme.error));
    return out;
  }
  const list = prompt.list;
  if (list === null) {
    out.push(textLine(width, theme, ' listing the actions that apply…', theme.dim));
    return out;
  }
  if (list.actions.length === 0) {
    out.push(textLine(width, theme, ' No action applies to this incident.', theme.dim));
    if (list.manual_steps.length > 0) out.push(textLine(width, theme, ` Manual steps: ${list.manual_steps.join('; ')}`));
    return out;
  }
  const maxRows = Math.max(1, Math.floor(height / 2) - 3);
  const keys = list.actions.map((action) => action.action_id);
  const drawn = table(screenInput, {
    columns: ACTION_COLUMNS,
    rows: list.actions,
    keys,
    cells: actionCells,
    cellStyle: (action, i) => (i === 1 && action.risk !== 'safe' ? theme.bold : undefined),
    cursor: { key: keys[prompt.cursor] ?? null, index: prompt.cursor, top: 0 },
    height: Math.min(list.actions.length, maxRows) + 1,
    width,
    focused: true,
  });
  out.push(...drawn.lines);
  out.push(textLine(width, theme, ' SAFE: y/N. MEDIUM, HIGH: an approver, then the incident id typed.', theme.dim));
  return out;
}

/** An incident key as actions address it (undefined when the TUI does not know it). */
export function incidentRef(incidents: IncidentsState, key: string): IncidentRef | undefined {
  const entry = incidents.entries.get(key);
  if (entry === undefined) return undefined;
  return { key, member: entry.member, daemon_id: entry.daemon_id, incident_id: entry.incident.incident_id, display: displayId(incidents, entry) };
}

/** An incident's traces, the root span's first (what `t` opens). */
export function incidentTraces(incidents: IncidentsState, key: string): string[] {
  const incident = incidents.entries.get(key)?.incident;
  if (incident === undefined) return [];
  const root = incident.root_cause.root_span?.trace_id;
  const traces = root ? [root, ...incident.trace_ids.filter((id) => id !== root)] : [...incident.trace_ids];
  return traces.filter((id) => id !== '');
}

export function uiContext(input: FrameInput, frame: Frame): UiContext {
  return {
    now: input.now,
    readOnly: input.readOnly,
    rows: frame.screen.rows,
    pageSize: frame.screen.pageSize,
    paneLines: frame.screen.paneLines,
    incident: (key) => incidentRef(input.incidents, key),
    traces: (key) => incidentTraces(input.incidents, key),
    rule: (key) => {
      const row = ruleRows(input).rows.find((candidate) => candidate.key === key);
      return row === undefined ? undefined : ruleRef(row);
    },
    timelineTrace: frame.screen.timelineTrace ?? (() => undefined),
    outbox: outboxContext(input),
  };
}
