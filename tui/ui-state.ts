// The terminal UI's own state and its one pure transition: what is on screen (a stack of views, for breadcrumbs and
// Esc), where each list's selection is, the filter, the open prompt and the message line. Keys come in as KeyEvents;
// what must happen outside (a control call, quitting) goes out as Effects, data the controller runs:
//
//   KeyEvent ──updateUi(state, action, context)──▶ { state, effects }
//                       ▲                                  │
//   context: the rows of the list on screen, its page     ▼ controller.ts: ControlClient calls → notice/loaded actions
//   size, incidents by key (screen-model.ts computes it)
//
// Selections are incident keys (daemon_id/incident_id), never row positions: rows move as incidents change and the
// selection stays on its incident while it is listed (a refresh must never move the highlight between two
// keystrokes). Every prompt captures the incident it acts on when it opens, so nothing that arrives later can
// redirect it to another one.

import type { ActionListJson, ActionViewJson } from '../api/incident.js';
import { EMPTY_FILTER, applyFilterCommand, setFilterText, type IncidentFilter } from '../view/filters.js';
import { commandFor, type Command, type Screen } from '../view/keymap.js';
import { visibleWindow } from '../view/waterfall.js';
import type { KeyEvent } from './input.js';
import { OUTBOX_COMMANDS, isOutboxPrompt, onOutboxCommand, onOutboxPromptKey, type OutboxContext, type OutboxEffect, type OutboxPrompt, type ReducerKit } from './outbox.js';

/** An incident as actions address it: captured when a prompt opens, so a refresh cannot redirect the prompt. */
export type IncidentRef = {
  key: string;
  /** The daemon's position in the fleet: which client to call. */
  member: number;
  daemon_id: string;
  incident_id: string;
  /** How screens name it (`inc_00007`, or `d2/inc_00007` in a fleet). */
  display: string;
};

export type RuleRef = { key: string; member: number; rule_id: string; name: string; enabled: boolean };

export const LISTS = ['overview', 'incidents', 'components', 'rules', 'silences', 'notifications'] as const;
export type ListName = (typeof LISTS)[number];

export type Cursor = {
  /** The selected row's key; null before anything was selected. */
  key: string | null;
  /** Where it was: the fallback when its row leaves the list. */
  index: number;
  /** First row shown. */
  top: number;
};

export const INCIDENT_TABS = ['summary', 'timeline', 'actions', 'postmortem'] as const;
export type IncidentTab = (typeof INCIDENT_TABS)[number];

export type View =
  | { screen: 'overview' }
  | { screen: 'incidents' }
  | { screen: 'components' }
  | { screen: 'rules' }
  | { screen: 'silences' }
  | { screen: 'notifications' }
  | { screen: 'help'; scroll: number }
  | { screen: 'incident'; target: IncidentRef; tab: IncidentTab; scroll: number; cursor: Cursor }
  | {
      screen: 'trace';
      /** The incident whose traces these are (null for a trace opened on its own). */
      target: IncidentRef | null;
      traceIds: readonly string[];
      traceIndex: number;
      cursor: Cursor;
      collapsed: ReadonlySet<string>;
      pane: 'spans' | 'detail';
      detailScroll: number;
    };

export type Prompt = { id: number } & (
  | { kind: 'filter'; value: string; previous: string }
  | { kind: 'list-filter'; list: 'components' | 'rules'; value: string; previous: string }
  | { kind: 'command'; value: string }
  | { kind: 'assign'; target: IncidentRef; value: string }
  | { kind: 'resolve'; target: IncidentRef; value: string }
  | { kind: 'close'; target: IncidentRef }
  | { kind: 'actions'; target: IncidentRef; list: ActionListJson | null; error: string; cursor: number }
  | { kind: 'confirm-action'; target: IncidentRef; action: ActionViewJson }
  | { kind: 'approver'; target: IncidentRef; action: ActionViewJson; value: string }
  | { kind: 'type-id'; target: IncidentRef; action: ActionViewJson; approver: string; value: string; error: string }
  | { kind: 'rule'; rule: RuleRef; enable: boolean }
  | OutboxPrompt
);
export type PromptKind = Prompt['kind'];

export type Message = { text: string; kind: 'info' | 'error' };
/** A message as the help screen lists it: with when it was said. */
export type LoggedMessage = Message & { at: number };

/**
 * Messages kept for the help screen, newest last. The message line shows one line of the latest (a long one cut with
 * an ellipsis: three wrapped lines pushed the screen around); the help has every kept one in full.
 */
export const MESSAGE_LOG_SIZE = 20;

export type UiState = {
  /** Bottom first; never empty. */
  stack: readonly View[];
  cursors: Readonly<Record<ListName, Cursor>>;
  filter: IncidentFilter;
  /** The `/` text of the components and rules lists. */
  listText: Readonly<{ components: string; rules: string }>;
  prompt: Prompt | null;
  message: Message | null;
  /** What the message line said lately, in full, oldest first (at most MESSAGE_LOG_SIZE). */
  messageLog: readonly LoggedMessage[];
  nextPromptId: number;
};

export type Effect =
  | { type: 'quit' }
  | { type: 'suspend' }
  | { type: 'acknowledge'; target: IncidentRef }
  | { type: 'assign'; target: IncidentRef; name: string }
  | { type: 'resolve'; target: IncidentRef; notes: string }
  | { type: 'close'; target: IncidentRef }
  | { type: 'list-actions'; target: IncidentRef; promptId: number }
  | { type: 'mitigate'; target: IncidentRef; action_id: string; approved_by?: string }
  | { type: 'export'; target: IncidentRef }
  | { type: 'set-rule'; rule: RuleRef; enabled: boolean }
  | OutboxEffect;

export type UiAction =
  | { type: 'key'; key: KeyEvent }
  | { type: 'actions-loaded'; promptId: number; list: ActionListJson }
  | { type: 'actions-failed'; promptId: number; error: string }
  /** The outcome of an effect, for the message line. */
  | { type: 'notice'; message: Message };

/** What the reducer needs to know of the screen it acts on; screen-model.ts computes it from the same data it draws. */
export type UiContext = {
  now: number;
  readOnly: boolean;
  /** Keys of the rows of the list on screen (incident keys, component names, rule keys, span ids, timeline rows). */
  rows: readonly string[];
  /** Rows of that list shown at once. */
  pageSize: number;
  /** Lines of the text pane on screen (an incident tab, the help, a span's detail), for scrolling. */
  paneLines: number;
  incident(key: string): IncidentRef | undefined;
  /** The traces of an incident, the root span's first; empty when none was recorded. */
  traces(key: string): readonly string[];
  rule(key: string): RuleRef | undefined;
  /** The trace a timeline row of the incident screen points at (its key is the row key). */
  timelineTrace(rowKey: string): string | undefined;
  /** The Silences and Notifications screens' rows (tui/outbox.ts). */
  outbox?: OutboxContext;
};

export type UiResult = { state: UiState; effects: Effect[] };

const EMPTY_CURSOR: Cursor = { key: null, index: 0, top: 0 };
const MAX_PROMPT_TEXT = 200;

export function initialUiState(): UiState {
  return {
    stack: [{ screen: 'overview' }],
    cursors: { overview: EMPTY_CURSOR, incidents: EMPTY_CURSOR, components: EMPTY_CURSOR, rules: EMPTY_CURSOR, silences: EMPTY_CURSOR, notifications: EMPTY_CURSOR },
    filter: EMPTY_FILTER,
    listText: { components: '', rules: '' },
    prompt: null,
    message: null,
    messageLog: [],
    nextPromptId: 1,
  };
}

/** `state` saying `message` on its message line, and keeping it for the help screen. */
export function withMessage(state: UiState, message: Message, at: number): UiState {
  const messageLog = [...state.messageLog.slice(-(MESSAGE_LOG_SIZE - 1)), { ...message, at }];
  return { ...state, message, messageLog };
}

export function currentView(state: UiState): View {
  return state.stack[state.stack.length - 1]!;
}

export function currentScreen(state: UiState): Screen {
  return currentView(state).screen;
}

/** The row a cursor selects in `rows`: its own key while listed, else the row now at its old position. */
export function resolveCursor(cursor: Cursor, rows: readonly string[]): { index: number; key: string | null } {
  if (rows.length === 0) return { index: -1, key: null };
  if (cursor.key !== null) {
    const index = rows.indexOf(cursor.key);
    if (index >= 0) return { index, key: cursor.key };
  }
  const index = Math.min(Math.max(0, cursor.index), rows.length - 1);
  return { index, key: rows[index]! };
}

/** The first row shown for a cursor over `count` rows in a window of `height` (the selection kept in view). */
export function windowOf(cursor: Cursor, rows: readonly string[], height: number): { top: number; end: number; selected: number } {
  const { index } = resolveCursor(cursor, rows);
  const { top, end } = visibleWindow(rows.length, Math.max(0, index), cursor.top, height);
  return { top, end, selected: index };
}

/**
 * Pins the selection to the row drawn as selected. Until then a cursor without a key (nothing chosen yet), or whose
 * incident left the list, selects by position, and the next reorder would move the highlight to another incident
 * between two keystrokes. Called after every frame; returns `state` itself when nothing changes.
 */
export function adoptSelection(state: UiState, rows: readonly string[]): UiState {
  const view = currentView(state);
  const list = listOf(view);
  const cursor = list !== undefined ? state.cursors[list] : view.screen === 'trace' || view.screen === 'incident' ? view.cursor : undefined;
  if (cursor === undefined) return state;
  const { index, key } = resolveCursor(cursor, rows);
  if (key === null || (key === cursor.key && index === cursor.index)) return state;
  const pinned: Cursor = { ...cursor, key, index };
  if (list !== undefined) return withCursor(state, list, pinned);
  if (view.screen === 'trace' || view.screen === 'incident') return replaceTop(state, { ...view, cursor: pinned });
  return state;
}

function moveCursor(cursor: Cursor, rows: readonly string[], pageSize: number, command: Command): Cursor {
  const { index } = resolveCursor(cursor, rows);
  if (index < 0) return cursor;
  const page = Math.max(1, pageSize);
  const last = rows.length - 1;
  const target =
    command === 'down' ? index + 1
      : command === 'up' ? index - 1
        : command === 'top' ? 0
          : command === 'bottom' ? last
            : command === 'page_down' ? index + page
              : command === 'page_up' ? index - page
                : index;
  const next = Math.min(Math.max(0, target), last);
  const { top } = visibleWindow(rows.length, next, cursor.top, page);
  return { key: rows[next]!, index: next, top };
}

function scrollBy(scroll: number, lines: number, pageSize: number, command: Command): number {
  const max = Math.max(0, lines - Math.max(1, pageSize));
  const page = Math.max(1, pageSize - 1);
  const next =
    command === 'down' ? scroll + 1
      : command === 'up' ? scroll - 1
        : command === 'top' ? 0
          : command === 'bottom' ? max
            : command === 'page_down' ? scroll + page
              : command === 'page_up' ? scroll - page
                : scroll;
  return Math.min(Math.max(0, next), max);
}

const MOVES: ReadonlySet<Command> = new Set(['down', 'up', 'top', 'bottom', 'page_down', 'page_up']);
const ON_INCIDENT: ReadonlySet<Command> = new Set(['acknowledge', 'assign', 'mitigate', 'resolve', 'close', 'export', 'trace']);

function listOf(view: View): ListName | undefined {
  return (LISTS as readonly string[]).includes(view.screen) ? (view.screen as ListName) : undefined;
}

function replaceTop(state: UiState, view: View): UiState {
  return { ...state, stack: [...state.stack.slice(0, -1), view] };
}

function withCursor(state: UiState, list: ListName, cursor: Cursor): UiState {
  return { ...state, cursors: { ...state.cursors, [list]: cursor } };
}

function openPrompt(state: UiState, prompt: DistributiveOmit<Prompt, 'id'>): UiState {
  return { ...state, prompt: { ...prompt, id: state.nextPromptId } as Prompt, nextPromptId: state.nextPromptId + 1, message: null };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function info(state: UiState, text: string): UiState {
  return { ...state, message: { text, kind: 'info' } };
}

function error(state: UiState, text: string): UiState {
  return { ...state, message: { text, kind: 'error' } };
}

/** The incident a command on this view acts on: the incident screen's own, or the selected row of a list. */
function targetOf(state: UiState, context: UiContext): IncidentRef | undefined {
  const view = currentView(state);
  if (view.screen === 'incident') return view.target;
  const list = listOf(view);
  if (list !== 'overview' && list !== 'incidents') return undefined;
  const { key } = resolveCursor(state.cursors[list], context.rows);
  return key === null ? undefined : context.incident(key);
}

export function updateUi(state: UiState, action: UiAction, context: UiContext): UiResult {
  const result = transition(state, action, context);
  const message = result.state.message;
  // Every new message is kept for the help screen, wherever in the transition it was set.
  if (message === null || message === state.message) return result;
  return { ...result, state: withMessage(result.state, message, context.now) };
}

function transition(state: UiState, action: UiAction, context: UiContext): UiResult {
  switch (action.type) {
    case 'key':
      return onKey(state, action.key, context);
    case 'actions-loaded': {
      const prompt = state.prompt;
      if (prompt?.kind !== 'actions' || prompt.id !== action.promptId) return { state, effects: [] };
      return { state: { ...state, prompt: { ...prompt, list: action.list, error: '', cursor: 0 } }, effects: [] };
    }
    case 'actions-failed': {
      const prompt = state.prompt;
      if (prompt?.kind !== 'actions' || prompt.id !== action.promptId) return { state, effects: [] };
      return { state: { ...state, prompt: { ...prompt, error: action.error } }, effects: [] };
    }
    case 'notice':
      return { state: { ...state, message: action.message }, effects: [] };
  }
}

function onKey(state: UiState, key: KeyEvent, context: UiContext): UiResult {
  if (key.name === 'ctrl-c') return { state, effects: [{ type: 'quit' }] };
  // As a shell's job control would, wherever the keys are (a half-typed prompt is there when the TUI comes back).
  if (key.name === 'ctrl-z') return { state, effects: [{ type: 'suspend' }] };
  if (state.prompt !== null) return onPromptKey(state, state.prompt, key, context);
  const screen = currentScreen(state);
  const command = commandFor(key.name, screen, { readOnly: context.readOnly });
  // A key that does nothing here leaves the message up: it may say why.
  if (command === undefined) return { state, effects: [] };
  return onCommand({ ...state, message: null }, command, context);
}

function onCommand(state: UiState, command: Command, context: UiContext): UiResult {
  const view = currentView(state);
  const none = (next: UiState): UiResult => ({ state: next, effects: [] });
  switch (command) {
    case 'quit':
      return { state, effects: [{ type: 'quit' }] };
    case 'suspend':
      return { state, effects: [{ type: 'suspend' }] };
    case 'overview':
    case 'incidents':
    case 'components':
    case 'rules':
    case 'silences':
    case 'notifications':
      return none({ ...state, stack: [{ screen: command }] });
    case 'help':
      return view.screen === 'help' ? none({ ...state, stack: state.stack.slice(0, -1) }) : none({ ...state, stack: [...state.stack, { screen: 'help', scroll: 0 }] });
    case 'back':
      return none(state.stack.length > 1 ? { ...state, stack: state.stack.slice(0, -1) } : state);
    case 'filter': {
      if (view.screen === 'incidents') return none(openPrompt(state, { kind: 'filter', value: state.filter.text, previous: state.filter.text }));
      if (view.screen === 'components' || view.screen === 'rules') {
        const text = state.listText[view.screen];
        return none(openPrompt(state, { kind: 'list-filter', list: view.screen, value: text, previous: text }));
      }
      return none(state);
    }
    case 'command':
      return none(openPrompt(state, { kind: 'command', value: '' }));
    case 'next_tab': {
      if (view.screen === 'incident') {
        const tab = INCIDENT_TABS[(INCIDENT_TABS.indexOf(view.tab) + 1) % INCIDENT_TABS.length]!;
        return none(replaceTop(state, { ...view, tab, scroll: 0, cursor: EMPTY_CURSOR }));
      }
      if (view.screen === 'trace') return none(replaceTop(state, { ...view, pane: view.pane === 'spans' ? 'detail' : 'spans' }));
      return none(state);
    }
    case 'next_trace':
    case 'previous_trace': {
      if (view.screen !== 'trace' || view.traceIds.length < 2) return none(info(state, 'this incident has no other trace'));
      const step = command === 'next_trace' ? 1 : -1;
      const traceIndex = (view.traceIndex + step + view.traceIds.length) % view.traceIds.length;
      return none(replaceTop(state, { ...view, traceIndex, cursor: EMPTY_CURSOR, collapsed: new Set(), detailScroll: 0 }));
    }
    case 'toggle':
      return onToggle(state, context);
    case 'open':
      return onOpen(state, context);
    default:
      break;
  }
  if (MOVES.has(command)) return none(onMove(state, command, context));
  if (OUTBOX_COMMANDS.has(command)) return onOutboxCommand(state, command, context, OUTBOX_KIT);
  if (ON_INCIDENT.has(command)) {
    const target = targetOf(state, context);
    if (target === undefined) return none(error(state, 'no incident selected'));
    return onIncidentCommand(state, command, target, context);
  }
  return none(state);
}

function onMove(state: UiState, command: Command, context: UiContext): UiState {
  const view = currentView(state);
  const list = listOf(view);
  if (list !== undefined) return withCursor(state, list, moveCursor(state.cursors[list], context.rows, context.pageSize, command));
  switch (view.screen) {
    case 'help':
      return replaceTop(state, { ...view, scroll: scrollBy(view.scroll, context.paneLines, context.pageSize, command) });
    case 'incident':
      // The timeline tab selects entries (Enter opens an entry's trace); the other tabs scroll.
      if (view.tab === 'timeline') return replaceTop(state, { ...view, cursor: moveCursor(view.cursor, context.rows, context.pageSize, command) });
      return replaceTop(state, { ...view, scroll: scrollBy(view.scroll, context.paneLines, context.pageSize, command) });
    case 'trace':
      if (view.pane === 'detail') return replaceTop(state, { ...view, detailScroll: scrollBy(view.detailScroll, context.paneLines, context.pageSize, command) });
      return replaceTop(state, { ...view, cursor: moveCursor(view.cursor, context.rows, context.pageSize, command), detailScroll: 0 });
    default:
      return state;
  }
}

function onOpen(state: UiState, context: UiContext): UiResult {
  const view = currentView(state);
  const none = (next: UiState): UiResult => ({ state: next, effects: [] });
  if (view.screen === 'overview' || view.screen === 'incidents') {
    const target = targetOf(state, context);
    if (target === undefined) return none(state);
    return none({ ...state, stack: [...state.stack, { screen: 'incident', target, tab: 'summary', scroll: 0, cursor: EMPTY_CURSOR }] });
  }
  if (view.screen === 'components') {
    const { key } = resolveCursor(state.cursors.components, context.rows);
    if (key === null) return none(state);
    // A component opens the incidents that affect it.
    return none({ ...state, filter: { ...state.filter, component: [key] }, stack: [...state.stack, { screen: 'incidents' }] });
  }
  if (view.screen === 'incident' && view.tab === 'timeline') {
    const { key } = resolveCursor(view.cursor, context.rows);
    const traceId = key === null ? undefined : context.timelineTrace(key);
    if (traceId === undefined) return none(info(state, 'this entry has no trace'));
    const traces = context.traces(view.target.key);
    const traceIds = traces.includes(traceId) ? traces : [traceId, ...traces];
    return none(pushTrace(state, view.target, traceIds, traceIds.indexOf(traceId)));
  }
  return none(state);
}

function pushTrace(state: UiState, target: IncidentRef | null, traceIds: readonly string[], traceIndex: number): UiState {
  const view: View = { screen: 'trace', target, traceIds, traceIndex, cursor: EMPTY_CURSOR, collapsed: new Set(), pane: 'spans', detailScroll: 0 };
  return { ...state, stack: [...state.stack, view] };
}

function onToggle(state: UiState, context: UiContext): UiResult {
  const view = currentView(state);
  if (view.screen === 'trace') {
    const { key } = resolveCursor(view.cursor, context.rows);
    if (key === null) return { state, effects: [] };
    const collapsed = new Set(view.collapsed);
    if (collapsed.has(key)) collapsed.delete(key);
    else collapsed.add(key);
    return { state: replaceTop(state, { ...view, collapsed, cursor: { ...view.cursor, key } }), effects: [] };
  }
  if (view.screen === 'rules' && !context.readOnly) {
    const { key } = resolveCursor(state.cursors.rules, context.rows);
    const rule = key === null ? undefined : context.rule(key);
    if (rule === undefined) return { state, effects: [] };
    return { state: openPrompt(state, { kind: 'rule', rule, enable: !rule.enabled }), effects: [] };
  }
  return { state, effects: [] };
}

function onIncidentCommand(state: UiState, command: Command, target: IncidentRef, context: UiContext): UiResult {
  switch (command) {
    case 'trace': {
      const traces = context.traces(target.key);
      if (traces.length === 0) return { state: info(state, `no trace was recorded for ${target.display}`), effects: [] };
      return { state: pushTrace(state, target, traces, 0), effects: [] };
    }
    case 'acknowledge':
      return { state: info(state, `acknowledging ${target.display}…`), effects: [{ type: 'acknowledge', target }] };
    case 'assign':
      return { state: openPrompt(state, { kind: 'assign', target, value: '' }), effects: [] };
    case 'resolve':
      return { state: openPrompt(state, { kind: 'resolve', target, value: '' }), effects: [] };
    case 'close':
      return { state: openPrompt(state, { kind: 'close', target }), effects: [] };
    case 'export':
      return { state: info(state, `exporting the post-mortem of ${target.display}…`), effects: [{ type: 'export', target }] };
    case 'mitigate': {
      const next = openPrompt(state, { kind: 'actions', target, list: null, error: '', cursor: 0 });
      return { state: next, effects: [{ type: 'list-actions', target, promptId: next.prompt!.id }] };
    }
    default:
      return { state, effects: [] };
  }
}

/** A prompt's line after a typing key; undefined when the key does not edit text. */
export function editText(value: string, key: KeyEvent): string | undefined {
  switch (key.name) {
    case 'backspace': {
      const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(value)];
      return graphemes.slice(0, -1).map((g) => g.segment).join('');
    }
    case 'ctrl-u':
      return '';
    case 'ctrl-w':
      return value.replace(/\S+\s*$/, '');
    default:
      if (key.text === '') return undefined;
      return (value + key.text).slice(0, MAX_PROMPT_TEXT);
  }
}

function onPromptKey(state: UiState, prompt: Prompt, key: KeyEvent, context: UiContext): UiResult {
  if (isOutboxPrompt(prompt)) return onOutboxPromptKey(state, prompt, key, context, OUTBOX_KIT);
  const none = (next: UiState): UiResult => ({ state: next, effects: [] });
  const close = (next: UiState = state): UiState => ({ ...next, prompt: null });
  const edit = (apply: (value: string) => UiState): UiResult | undefined => {
    if (!('value' in prompt)) return undefined;
    const value = editText(prompt.value, key);
    return value === undefined ? undefined : none(apply(value));
  };

  switch (prompt.kind) {
    case 'filter': {
      // The list follows the text as it is typed; Esc puts the previous text back.
      if (key.name === 'escape') return none(close({ ...state, filter: setFilterText(state.filter, prompt.previous) }));
      if (key.name === 'enter') return none(close());
      return edit((value) => ({ ...state, prompt: { ...prompt, value }, filter: setFilterText(state.filter, value) })) ?? none(state);
    }
    case 'list-filter': {
      const withText = (text: string): UiState => ({ ...state, listText: { ...state.listText, [prompt.list]: text.slice(0, MAX_PROMPT_TEXT) } });
      if (key.name === 'escape') return none(close(withText(prompt.previous)));
      if (key.name === 'enter') return none(close());
      return edit((value) => ({ ...withText(value), prompt: { ...prompt, value } })) ?? none(state);
    }
    case 'command': {
      if (key.name === 'escape') return none(close());
      if (key.name === 'enter') {
        if (prompt.value.trim() === '') return none(close());
        const result = applyFilterCommand(state.filter, prompt.value, context.now);
        if (!result.ok) return none(error(close(), result.error));
        // A filter is about the incident list: show it (the overview has no filtered list).
        const view = currentView(state);
        const stack: readonly View[] = view.screen === 'incidents' ? state.stack : [{ screen: 'incidents' }];
        return none({ ...close(), filter: result.filter, stack });
      }
      return edit((value) => ({ ...state, prompt: { ...prompt, value } })) ?? none(state);
    }
    case 'assign':
    case 'resolve': {
      if (key.name === 'escape') return none(close());
      if (key.name === 'enter') {
        const value = prompt.value.trim();
        if (prompt.kind === 'assign') {
          if (value === '') return none(error(close(), 'no name given: not assigned'));
          return { state: info(close(), `assigning ${prompt.target.display} to ${value}…`), effects: [{ type: 'assign', target: prompt.target, name: value }] };
        }
        return { state: info(close(), `resolving ${prompt.target.display}…`), effects: [{ type: 'resolve', target: prompt.target, notes: value }] };
      }
      return edit((value) => ({ ...state, prompt: { ...prompt, value } })) ?? none(state);
    }
    case 'close':
      return confirm(state, key, () => ({ state: info(close(), `closing ${prompt.target.display}…`), effects: [{ type: 'close', target: prompt.target }] }));
    case 'rule':
      return confirm(state, key, () => ({
        state: info(close(), `${prompt.enable ? 'enabling' : 'disabling'} rule ${prompt.rule.rule_id}…`),
        effects: [{ type: 'set-rule', rule: prompt.rule, enabled: prompt.enable }],
      }));
    case 'actions': {
      if (key.name === 'escape') return none(close());
      const actions = prompt.list?.actions ?? [];
      if (key.name === 'down' || key.name === 'j') return none({ ...state, prompt: { ...prompt, cursor: Math.min(prompt.cursor + 1, Math.max(0, actions.length - 1)) } });
      if (key.name === 'up' || key.name === 'k') return none({ ...state, prompt: { ...prompt, cursor: Math.max(0, prompt.cursor - 1) } });
      if (key.name !== 'enter') return none(state);
      const action = actions[prompt.cursor];
      if (action === undefined) return none(state);
      if (action.risk === 'safe') return none(openPrompt(close(), { kind: 'confirm-action', target: prompt.target, action }));
      return none(openPrompt(close(), { kind: 'approver', target: prompt.target, action, value: '' }));
    }
    case 'confirm-action':
      return confirm(state, key, () => ({
        state: info(close(), `running ${prompt.action.action_id} on ${prompt.target.display}…`),
        effects: [{ type: 'mitigate', target: prompt.target, action_id: prompt.action.action_id }],
      }));
    case 'approver': {
      if (key.name === 'escape') return none(close());
      if (key.name === 'enter') {
        const approver = prompt.value.trim();
        if (approver === '') return none({ ...state, message: { text: 'a medium or high risk action needs the approver’s name', kind: 'error' } });
        return none(openPrompt(close(), { kind: 'type-id', target: prompt.target, action: prompt.action, approver, value: '', error: '' }));
      }
      return edit((value) => ({ ...state, prompt: { ...prompt, value } })) ?? none(state);
    }
    case 'type-id': {
      if (key.name === 'escape') return none(close());
      if (key.name === 'enter') {
        const typed = prompt.value.trim();
        if (typed !== prompt.target.incident_id && typed !== prompt.target.display) {
          // Refused, and said so; the prompt stays for another try (or Esc).
          return none({ ...state, prompt: { ...prompt, value: '', error: `“${typed}” is not ${prompt.target.display}: not run` } });
        }
        return {
          state: info(close(), `running ${prompt.action.action_id} on ${prompt.target.display}, approved by ${prompt.approver}…`),
          effects: [{ type: 'mitigate', target: prompt.target, action_id: prompt.action.action_id, approved_by: prompt.approver }],
        };
      }
      return edit((value) => ({ ...state, prompt: { ...prompt, value, error: '' } })) ?? none(state);
    }
  }
}

/** y runs it; n, Enter and Esc do not (the default is No); other keys are ignored. */
function confirm(state: UiState, key: KeyEvent, yes: () => UiResult): UiResult {
  if (key.name === 'y' || key.name === 'Y') return yes();
  if (key.name === 'n' || key.name === 'N' || key.name === 'enter' || key.name === 'escape') {
    return { state: { ...state, prompt: null, message: { text: 'cancelled', kind: 'info' } }, effects: [] };
  }
  return { state, effects: [] };
}

/** The Silences and Notifications screens' part of the reducer (tui/outbox.ts) works with these. */
const OUTBOX_KIT: ReducerKit = { currentView, resolveCursor, openPrompt, confirm, editText };
