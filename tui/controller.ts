// The terminal UI without a terminal: it holds the UI state, builds frames from it and the live incident state, runs
// keys through the pure reducer and the reducer's effects through the ControlClient, and tells its one listener (the
// React root) when the frame changed — only then, so an unchanged frame costs no render and no byte.
//
//   keys ─────────────▶ updateUi(state, key, uiContext(frame)) ──effects──▶ ControlClient calls ──notice──┐
//   live store flush ──┐                                                                                   │
//   resource loaded ───┼──▶ recompute: buildFrame ──changed?──▶ listener (React) ──▶ Ink ──▶ frame writer   │
//   clock (5 s) ───────┘        └──▶ resourceRequests ──ensure──▶ resource store ◀─────────────────────────┘

import type { ControlClient } from '../api/client.js';
import { isControlError } from '../api/errors.js';
import type { IncidentsState } from '../view/incidents-state.js';
import { writePostmortemFile } from './export.js';
import { buildFrame, uiContext, type Frame, type FrameInput } from './frame.js';
import type { KeyEvent, Timers } from './input.js';
import { createResourceStore, type ResourceStore } from './resources.js';
import { actionsKey, detailKey, postmortemKey, resourceRequests, rulesKey, timelineKey } from './screen-resources.js';
import type { Size } from './terminal.js';
import type { Theme } from './theme.js';
import type { Line } from './lines.js';
import { runOutboxEffect } from './outbox-effects.js';
import { adoptSelection, initialUiState, updateUi, withMessage, type Effect, type IncidentRef, type UiAction, type UiState } from './ui-state.js';

/** Durations and ages on screen move on this clock (a frame that did not change writes nothing). */
export const CLOCK_INTERVAL_MS = 5_000;

export type LiveSource = {
  getState(): IncidentsState;
  subscribe(listener: () => void): () => void;
  refreshSoon(): void;
};

export type ControllerOptions = {
  clients: readonly ControlClient[];
  live: LiveSource;
  theme: Theme;
  readOnly: boolean;
  actor: string;
  size: Size;
  /** Where `e` writes post-mortems. */
  exportDirectory: string;
  onQuit(): void;
  /** Ctrl-Z: give the terminal back and stop the process until SIGCONT (run.ts). */
  onSuspend(): void;
  now?: () => number;
  timers?: Timers;
  /** The UI state to start from (tests). */
  initial?: UiState;
};

export interface Controller {
  /** The current frame (React reads it with useSyncExternalStore). */
  getSnapshot(): Frame;
  subscribe(listener: () => void): () => void;
  keys(events: readonly KeyEvent[]): void;
  resize(size: Size): void;
  dispatch(action: UiAction): void;
  /** Says `text` on the message line (and keeps it for the help). */
  notice(text: string, kind?: 'info' | 'error'): void;
  readonly ui: UiState;
  readonly resources: ResourceStore;
  /** Resolves once every control call started so far has settled (tests, shutdown). */
  settled(): Promise<void>;
  /** Control calls are in flight. */
  busy(): boolean;
  dispose(): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function describeError(error: unknown): string {
  if (isControlError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A line's content as a string: equal strings, equal lines on screen (styles included). */
function lineSignature(line: Line): string {
  let out = '';
  for (const segment of line.segments) {
    const s = segment.style;
    out += `${segment.text}\u0000${s.color ?? ''}${s.backgroundColor ?? ''}${s.bold ? 'b' : ''}${s.dim ? 'd' : ''}${s.inverse ? 'i' : ''}${s.underline ? 'u' : ''}\u0001`;
  }
  return out;
}

export function createController(options: ControllerOptions): Controller {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? REAL_TIMERS;
  let ui = options.initial ?? initialUiState();
  let size = options.size;
  let rulesVersion = 0;
  let outboxChanges = 0;
  let disposed = false;
  const listeners = new Set<() => void>();
  const inFlight = new Set<Promise<unknown>>();

  const resources = createResourceStore(() => recompute(), describeError, now);

  const input = (): FrameInput => ({
    incidents: options.live.getState(),
    ui,
    resources,
    theme: options.theme,
    // Ages and durations move in steps of the clock: every row's "12s ago" changing each second costs more bytes than
    // the updates themselves during a burst, and within a step a frame is reused (keys in one chunk, a flush).
    now: Math.floor(now() / CLOCK_INTERVAL_MS) * CLOCK_INTERVAL_MS,
    readOnly: options.readOnly,
    size,
  });

  let built: { input: FrameInput; resources: number; frame: Frame } | undefined;
  /** The frame of `next`, built again only when something it is made of changed. */
  function frameOf(next: FrameInput): Frame {
    if (
      built !== undefined &&
      built.input.ui === next.ui &&
      built.input.incidents === next.incidents &&
      built.resources === resources.version &&
      built.input.now === next.now &&
      built.input.size.columns === next.size.columns &&
      built.input.size.rows === next.size.rows
    ) {
      return built.frame;
    }
    const frame = buildFrame(next);
    built = { input: next, resources: resources.version, frame };
    return frame;
  }

  let frameInput = input();
  let frame = frameOf(frameInput);
  let signatures = frame.lines.map(lineSignature);

  function recompute(): void {
    if (disposed) return;
    frameInput = input();
    for (const request of resourceRequests(ui, frameInput.incidents, rulesVersion, `${outboxChanges}:${frameInput.now}`)) {
      const client = options.clients[request.member];
      if (client !== undefined) resources.ensure(request.key, request.version, () => track(request.load(client)));
    }
    const next = frameOf(frameInput);
    ui = adoptSelection(ui, next.screen.rows);
    if (next === frame) return;
    // Lines that did not change keep their object, so React skips them (app.tsx memoizes a line by identity).
    const nextSignatures = next.lines.map(lineSignature);
    let changed = nextSignatures.length !== signatures.length;
    const lines = next.lines.map((line, index) => {
      if (nextSignatures[index] === signatures[index]) return frame.lines[index]!;
      changed = true;
      return line;
    });
    frame = { ...next, lines };
    built!.frame = frame;
    signatures = nextSignatures;
    if (!changed) return;
    for (const listener of [...listeners]) listener();
  }

  function apply(action: UiAction): void {
    // Each key acts on the frame as it stands after the previous one ('jjj' in one chunk moves three rows).
    const current = input();
    const result = updateUi(ui, action, uiContext(current, frameOf(current)));
    ui = result.state;
    for (const effect of result.effects) run(effect);
  }

  function notice(text: string, kind: 'info' | 'error' = 'info'): void {
    if (disposed) return;
    ui = withMessage(ui, { text, kind }, now());
    recompute();
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** A control call for an incident: its outcome becomes the message line, success or failure. */
  function call(target: IncidentRef, what: string, work: (client: ControlClient) => Promise<string>, after?: () => void): void {
    const client = options.clients[target.member];
    if (client === undefined) {
      notice(`could not ${what} ${target.display}: no daemon for it`, 'error');
      return;
    }
    void track(
      work(client).then(
        (text) => {
          invalidateIncident(target);
          after?.();
          options.live.refreshSoon();
          notice(text);
        },
        (error: unknown) => notice(`could not ${what} ${target.display}: ${describeError(error)}`, 'error'),
      ),
    );
  }

  function invalidateIncident(target: IncidentRef): void {
    for (const key of [detailKey(target), actionsKey(target), timelineKey(target), postmortemKey(target)]) resources.invalidate(key);
  }

  function run(effect: Effect): void {
    const actor = options.actor;
    switch (effect.type) {
      case 'quit':
        options.onQuit();
        return;
      case 'suspend':
        options.onSuspend();
        return;
      case 'acknowledge':
        call(effect.target, 'acknowledge', async (client) => {
          await client.updateIncident({ actor, incident_id: effect.target.incident_id, acknowledge: true });
          return `acknowledged ${effect.target.display} as ${actor}`;
        });
        return;
      case 'assign':
        call(effect.target, 'assign', async (client) => {
          await client.updateIncident({ actor, incident_id: effect.target.incident_id, assigned_to: effect.name });
          return `${effect.target.display} assigned to ${effect.name}`;
        });
        return;
      case 'resolve':
        call(effect.target, 'resolve', async (client) => {
          await client.resolveIncident({ actor, incident_id: effect.target.incident_id, ...(effect.notes ? { notes: effect.notes } : {}) });
          return `resolved ${effect.target.display}`;
        });
        return;
      case 'close':
        call(effect.target, 'close', async (client) => {
          await client.closeIncident({ actor, incident_id: effect.target.incident_id });
          return `closed ${effect.target.display}`;
        });
        return;
      case 'list-actions': {
        const client = options.clients[effect.target.member];
        if (client === undefined) {
          apply({ type: 'actions-failed', promptId: effect.promptId, error: 'no daemon for this incident' });
          return;
        }
        void track(
          client.listActions(effect.target.incident_id).then(
            (list) => {
              if (disposed) return;
              apply({ type: 'actions-loaded', promptId: effect.promptId, list });
              recompute();
            },
            (error: unknown) => {
              if (disposed) return;
              apply({ type: 'actions-failed', promptId: effect.promptId, error: describeError(error) });
              recompute();
            },
          ),
        );
        return;
      }
      case 'mitigate': {
        const client = options.clients[effect.target.member];
        if (client === undefined) {
          notice(`could not run ${effect.action_id}: no daemon for ${effect.target.display}`, 'error');
          return;
        }
        void track(
          client
            .mitigate({
              actor,
              incident_id: effect.target.incident_id,
              action_id: effect.action_id,
              ...(effect.approved_by !== undefined ? { approved_by: effect.approved_by } : {}),
            })
            .then(
              (result) => {
                invalidateIncident(effect.target);
                options.live.refreshSoon();
                const failed = result.outcome === 'failed' || result.outcome === 'timed_out';
                // The summary names the action and its outcome (`restart_service succeeded (approved by alice): exit 0`).
                notice(`${effect.target.display}: ${result.summary}`, failed ? 'error' : 'info');
              },
              (error: unknown) => notice(`${effect.action_id} on ${effect.target.display} refused: ${describeError(error)}`, 'error'),
            ),
        );
        return;
      }
      case 'export':
        call(effect.target, 'export the post-mortem of', async (client) => {
          const postmortem = await client.postmortem(effect.target.incident_id);
          const path = await writePostmortemFile(options.exportDirectory, effect.target.incident_id, postmortem.markdown);
          return `post-mortem of ${effect.target.display} written to ${path}${postmortem.draft ? ' (a draft: not resolved yet)' : ''}`;
        });
        return;
      case 'set-rule': {
        const client = options.clients[effect.rule.member];
        if (client === undefined) {
          notice(`could not change rule ${effect.rule.rule_id}: no daemon for it`, 'error');
          return;
        }
        void track(
          client.setRulesEnabled({ actor, rule_ids: [effect.rule.rule_id], enabled: effect.enabled }).then(
            () => {
              rulesVersion++;
              resources.invalidate(rulesKey(effect.rule.member));
              notice(`rule ${effect.rule.rule_id} ${effect.enabled ? 'enabled' : 'disabled'}`);
            },
            (error: unknown) => notice(`could not ${effect.enabled ? 'enable' : 'disable'} rule ${effect.rule.rule_id}: ${describeError(error)}`, 'error'),
          ),
        );
        return;
      }
      default:
        runOutboxEffect(effect, {
          clients: options.clients,
          actor,
          notice,
          track,
          describeError,
          changed: () => {
            outboxChanges++;
            options.live.refreshSoon();
          },
        });
    }
  }

  const unsubscribeLive = options.live.subscribe(() => recompute());
  let clock: unknown;
  const tick = () => {
    clock = timers.setTimeout(() => {
      recompute();
      if (!disposed) tick();
    }, CLOCK_INTERVAL_MS);
  };
  tick();
  recompute(); // the first resources (a screen restored in tests)

  return {
    getSnapshot: () => frame,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    keys(events) {
      if (disposed) return;
      for (const key of events) apply({ type: 'key', key });
      recompute();
    },
    resize(next) {
      size = next;
      recompute();
    },
    dispatch(action) {
      apply(action);
      recompute();
    },
    notice,
    get ui() {
      return ui;
    },
    resources,
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    busy: () => inFlight.size > 0,
    dispose() {
      disposed = true;
      if (clock !== undefined) timers.clearTimeout(clock);
      unsubscribeLive();
      listeners.clear();
    },
  };
}
