// The Silences and Notifications screens' part of the key reducer (ui-state.ts hands them their commands and prompts):
// `n` opens the new-silence prompt (component, optional type, duration, comment, one field after another), `x`
// expires the selected silence, `r`/`d` retry or drop the selected dead letter, `R` retries every dead letter. Each
// change asks y/N first, and every prompt captures the silence or dead letter it acts on when it opens, so a refresh
// of the list cannot redirect it.

import type { CreateSilenceRequest } from '../api/silence.js';
import { INCIDENT_TYPES } from '../api/vocabulary.js';
import type { Command } from '../view/keymap.js';
import { silenceRequest, type SilenceDraft } from '../view/outbox-text.js';
import type { KeyEvent } from './input.js';
import type { Cursor, Prompt, UiContext, UiResult, UiState, View } from './ui-state.js';

/** A silence as `x` addresses it. */
export type SilenceRef = { key: string; member: number; silence_id: string; display: string };
/** A notification as `r`/`d` address it. */
export type NotificationRef = { key: string; member: number; notification_id: string; display: string; dead: boolean };

/** What the reducer needs of the outbox screens (frame.ts computes it from what they draw). */
export type OutboxContext = {
  silence(key: string): SilenceRef | undefined;
  /** Still in force (started or not): what `x` may expire. */
  expirable(key: string): boolean;
  notification(key: string): NotificationRef | undefined;
  /** Dead letters listed, over every daemon. */
  deadLetters: number;
  /** Daemons connected (a silence belongs to one daemon: `n` needs exactly one). */
  members: number;
};

export const SILENCE_FIELDS = ['component', 'incident_type', 'length', 'comment'] as const;
export type SilenceField = (typeof SILENCE_FIELDS)[number];

export type OutboxPrompt =
  | { kind: 'new-silence'; field: SilenceField; draft: SilenceDraft; value: string; error: string }
  | { kind: 'expire-silence'; silence: SilenceRef }
  | { kind: 'notification'; verb: 'retry' | 'drop'; notification: NotificationRef }
  | { kind: 'retry-all'; count: number };

export type OutboxEffect =
  | { type: 'create-silence'; member: number; request: Omit<CreateSilenceRequest, 'actor'> }
  | { type: 'expire-silence'; silence: SilenceRef }
  | { type: 'retry-notification'; notification: NotificationRef }
  | { type: 'drop-notification'; notification: NotificationRef }
  | { type: 'retry-all-dead' };

export const OUTBOX_COMMANDS: ReadonlySet<Command> = new Set(['new_silence', 'expire', 'retry', 'retry_all', 'drop']);
const OUTBOX_PROMPTS: ReadonlySet<string> = new Set(['new-silence', 'expire-silence', 'notification', 'retry-all']);

/** An outbox prompt as it is open (with its id). */
export type OpenOutboxPrompt = { id: number } & OutboxPrompt;

export function isOutboxPrompt(prompt: Prompt): prompt is OpenOutboxPrompt {
  return OUTBOX_PROMPTS.has(prompt.kind);
}

/**
 * The reducer's own helpers, handed in by ui-state.ts (which imports this module: importing them back would close a
 * cycle).
 */
export type ReducerKit = {
  currentView(state: UiState): View;
  resolveCursor(cursor: Cursor, rows: readonly string[]): { index: number; key: string | null };
  openPrompt(state: UiState, prompt: OutboxPrompt): UiState;
  confirm(state: UiState, key: KeyEvent, yes: () => UiResult): UiResult;
  editText(value: string, key: KeyEvent): string | undefined;
};

const EMPTY_DRAFT: SilenceDraft = { component: '', incident_type: '', length: '2h', comment: '' };

const none = (state: UiState): UiResult => ({ state, effects: [] });
const message = (state: UiState, text: string, kind: 'info' | 'error'): UiState => ({ ...state, message: { text, kind } });

export function onOutboxCommand(state: UiState, command: Command, context: UiContext, kit: ReducerKit): UiResult {
  const { openPrompt } = kit;
  const selectedKey = (list: 'silences' | 'notifications') => kit.resolveCursor(state.cursors[list], context.rows).key;
  const outbox = context.outbox;
  const screen = kit.currentView(state).screen;
  if (outbox === undefined || context.readOnly) return none(state);
  switch (command) {
    case 'new_silence': {
      if (screen !== 'silences') return none(state);
      if (outbox.members !== 1) return none(message(state, 'a silence belongs to one daemon: create it with firewatch silences create --socket or --connect to that one', 'error'));
      return none(openPrompt(state, { kind: 'new-silence', field: 'component', draft: EMPTY_DRAFT, value: '', error: '' }));
    }
    case 'expire': {
      const key = selectedKey('silences');
      const silence = key === null ? undefined : outbox.silence(key);
      if (silence === undefined) return none(message(state, 'no silence selected', 'error'));
      if (!outbox.expirable(silence.key)) return none(message(state, `${silence.display} is not in force: nothing to expire`, 'info'));
      return none(openPrompt(state, { kind: 'expire-silence', silence }));
    }
    case 'retry':
    case 'drop': {
      const key = selectedKey('notifications');
      const notification = key === null ? undefined : outbox.notification(key);
      if (notification === undefined) return none(message(state, 'no notification selected', 'error'));
      if (!notification.dead) return none(message(state, `${notification.display} is still pending: only a dead letter is retried or dropped`, 'info'));
      return none(openPrompt(state, { kind: 'notification', verb: command, notification }));
    }
    case 'retry_all':
      if (outbox.deadLetters === 0) return none(message(state, 'no dead letters', 'info'));
      return none(openPrompt(state, { kind: 'retry-all', count: outbox.deadLetters }));
    default:
      return none(state);
  }
}

export function onOutboxPromptKey(state: UiState, prompt: OpenOutboxPrompt, key: KeyEvent, context: UiContext, kit: ReducerKit): UiResult {
  const { confirm } = kit;
  const close = (next: UiState = state): UiState => ({ ...next, prompt: null });
  const info = (next: UiState, text: string) => message(next, text, 'info');
  switch (prompt.kind) {
    case 'expire-silence':
      return confirm(state, key, () => ({ state: info(close(), `expiring ${prompt.silence.display}…`), effects: [{ type: 'expire-silence', silence: prompt.silence }] }));
    case 'notification': {
      const { notification, verb } = prompt;
      return confirm(state, key, () => ({
        state: info(close(), `${verb === 'retry' ? 'retrying' : 'dropping'} ${notification.display}…`),
        effects: [{ type: verb === 'retry' ? 'retry-notification' : 'drop-notification', notification }],
      }));
    }
    case 'retry-all':
      return confirm(state, key, () => ({ state: info(close(), 'retrying every dead letter…'), effects: [{ type: 'retry-all-dead' }] }));
    case 'new-silence':
      return onNewSilenceKey(state, prompt, key, context, kit);
  }
}

/** One field after another; Enter on the comment validates the whole and, when it holds, creates the silence. */
function onNewSilenceKey(state: UiState, prompt: Extract<OpenOutboxPrompt, { kind: 'new-silence' }>, key: KeyEvent, context: UiContext, kit: ReducerKit): UiResult {
  if (key.name === 'escape') return none({ ...state, prompt: null, message: { text: 'cancelled: no silence created', kind: 'info' } });
  if (key.name !== 'enter') {
    const value = kit.editText(prompt.value, key);
    return none(value === undefined ? state : { ...state, prompt: { ...prompt, value, error: '' } });
  }
  const draft: SilenceDraft = { ...prompt.draft, [prompt.field]: prompt.value.trim() };
  const index = SILENCE_FIELDS.indexOf(prompt.field);
  if (prompt.field === 'component' && draft.component === '') return none({ ...state, prompt: { ...prompt, error: 'name the component to silence' } });
  // Said on the field that is wrong, while it is still the one being typed.
  if (prompt.field === 'incident_type' && draft.incident_type !== '' && !(INCIDENT_TYPES as readonly string[]).includes(draft.incident_type)) {
    return none({ ...state, prompt: { ...prompt, error: `not an incident type: ${draft.incident_type.slice(0, 60)} (empty: every type)` } });
  }
  if (prompt.field === 'length') {
    const checked = silenceRequest({ ...draft, comment: 'the length alone' }, '');
    if (!checked.ok) return none({ ...state, prompt: { ...prompt, error: checked.error } });
  }
  if (index < SILENCE_FIELDS.length - 1) {
    const field = SILENCE_FIELDS[index + 1]!;
    return none({ ...state, prompt: { ...prompt, draft, field, value: draft[field], error: '' } });
  }
  const result = silenceRequest(draft, '');
  if (!result.ok) return none({ ...state, prompt: { ...prompt, draft, error: result.error } });
  const { actor: _actor, ...request } = result.request;
  const target = context.outbox?.members === 1 ? 0 : -1;
  if (target < 0) return none({ ...state, prompt: null, message: { text: 'a silence belongs to one daemon', kind: 'error' } });
  return {
    state: { ...state, prompt: null, message: { text: `silencing ${request.component}…`, kind: 'info' } },
    effects: [{ type: 'create-silence', member: target, request }],
  };
}
