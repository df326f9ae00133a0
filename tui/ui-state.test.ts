import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionListJson, IncidentJson } from '../api/incident.js';
import { SEVERITIES, type IncidentStatus } from '../api/vocabulary.js';
import { incidentJson } from '../test/fixtures/incident-json.js';
import { compileFilter } from '../view/filters.js';
import { INITIAL_INCIDENTS_STATE, reduceIncidents, type IncidentsState } from '../view/incidents-state.js';
import { buildFrame, uiContext, type FrameInput } from './frame.js';
import { decodeKeys, type KeyEvent } from './input.js';
import { createResourceStore } from './resources.js';
import { createTheme } from './theme.js';
import {
  adoptSelection,
  currentView,
  initialUiState,
  resolveCursor,
  updateUi,
  type Effect,
  type IncidentRef,
  type UiContext,
  type UiResult,
  type UiState,
} from './ui-state.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const theme = createTheme({ colour: false, ascii: false });

function keys(text: string): KeyEvent[] {
  return decodeKeys(text, true).keys;
}

function ref(id: string): IncidentRef {
  return { key: `d/${id}`, member: 0, daemon_id: 'd', incident_id: id, display: id };
}

/** A context over plain rows (list screens): incident keys resolve to refs. */
function context(rows: string[], overrides: Partial<UiContext> = {}): UiContext {
  return {
    now: NOW,
    readOnly: false,
    rows,
    pageSize: 3,
    paneLines: 0,
    incident: (key) => (rows.includes(key) ? ref(key.slice(2)) : undefined),
    traces: () => ['trace-1', 'trace-2'],
    rule: () => undefined,
    timelineTrace: () => undefined,
    ...overrides,
  };
}

/** Feeds `text` as keys, collecting effects. */
function type(state: UiState, text: string, ctx: UiContext): UiResult {
  let result: UiResult = { state, effects: [] };
  const effects: Effect[] = [];
  for (const key of keys(text)) {
    result = updateUi(result.state, { type: 'key', key }, ctx);
    effects.push(...result.effects);
  }
  return { state: result.state, effects };
}

const onIncidents = (): UiState => ({ ...initialUiState(), stack: [{ screen: 'incidents' }] });

describe('selection', () => {
  it('stays on the same incident when rows move around it', () => {
    const state = type(onIncidents(), 'jj', context(['d/a', 'd/b', 'd/c', 'd/d'])).state;
    expect(resolveCursor(state.cursors.incidents, ['d/a', 'd/b', 'd/c', 'd/d']).key).toBe('d/c');
    // A new incident on top, another gone: the selection is still d/c, now at index 1.
    expect(resolveCursor(state.cursors.incidents, ['d/new', 'd/c', 'd/a'])).toEqual({ index: 1, key: 'd/c' });
  });

  it('falls back to the row at its old position when its incident leaves the list, and to nothing on an empty list', () => {
    const state = type(onIncidents(), 'jj', context(['d/a', 'd/b', 'd/c'])).state;
    expect(resolveCursor(state.cursors.incidents, ['d/a', 'd/b']).key).toBe('d/b');
    expect(resolveCursor(state.cursors.incidents, [])).toEqual({ index: -1, key: null });
  });

  it('moves by page, to the top and the bottom, never past either end', () => {
    const rows = ['d/1', 'd/2', 'd/3', 'd/4', 'd/5', 'd/6', 'd/7'];
    const ctx = context(rows);
    const at = (text: string) => resolveCursor(type(onIncidents(), text, ctx).state.cursors.incidents, rows).key;
    expect(at('\u001b[6~')).toBe('d/4');
    expect(at('G')).toBe('d/7');
    expect(at('Gjjj')).toBe('d/7');
    expect(at('Gg')).toBe('d/1');
    expect(at('kkk')).toBe('d/1');
  });
});

describe('screens', () => {
  it('opens the selected incident with Enter, goes back with Esc, switches with 1–4, keeps breadcrumbs', () => {
    const ctx = context(['d/a', 'd/b']);
    let state = type(onIncidents(), 'j\r', ctx).state;
    expect(currentView(state)).toMatchObject({ screen: 'incident', target: { incident_id: 'b' }, tab: 'summary' });
    expect(state.stack.map((view) => view.screen)).toEqual(['incidents', 'incident']);
    state = type(state, '\t\t', ctx).state;
    expect(currentView(state)).toMatchObject({ tab: 'actions' });
    state = type(state, '\u001b', ctx).state;
    expect(currentView(state).screen).toBe('incidents');
    expect(type(state, '4', ctx).state.stack).toEqual([{ screen: 'rules' }]);
  });

  it('opens the trace of the selected incident with t, and cycles its traces with ] and [', () => {
    const ctx = context(['d/a']);
    let state = type(onIncidents(), 't', ctx).state;
    expect(currentView(state)).toMatchObject({ screen: 'trace', traceIds: ['trace-1', 'trace-2'], traceIndex: 0 });
    state = type(state, ']', ctx).state;
    expect(currentView(state)).toMatchObject({ traceIndex: 1 });
    state = type(state, ']', ctx).state;
    expect(currentView(state)).toMatchObject({ traceIndex: 0 });
    const none = type(onIncidents(), 't', context(['d/a'], { traces: () => [] })).state;
    expect(none.message?.text).toContain('no trace');
  });

  it('collapses and expands a span with Space on the trace screen', () => {
    const ctx = context(['span-1', 'span-2']);
    const state = type(onIncidents(), 't', context(['d/a'])).state;
    const folded = type(state, ' ', ctx).state;
    expect([...(currentView(folded) as { collapsed: Set<string> }).collapsed]).toEqual(['span-1']);
    expect([...(currentView(type(folded, ' ', ctx).state) as { collapsed: Set<string> }).collapsed]).toEqual([]);
  });
});

describe('filters', () => {
  it('applies : commands to the filter and shows the incident list; refuses a bad one with a message', () => {
    const overview = initialUiState();
    const ctx = context([]);
    const applied = type(overview, ':severity critical\r', ctx).state;
    expect(applied.filter.severity).toEqual(['critical']);
    expect(currentView(applied).screen).toBe('incidents');
    const refused = type(overview, ':severity urgent\r', ctx).state;
    expect(refused.filter.severity).toEqual([]);
    expect(refused.message).toMatchObject({ kind: 'error', text: expect.stringContaining('unknown severity') });
  });

  it('filters by text as it is typed; Esc puts the previous text back, Enter keeps it', () => {
    const ctx = context([]);
    const typing = type(onIncidents(), '/che', ctx).state;
    expect(typing.filter.text).toBe('che');
    expect(type(typing, '\u001b', ctx).state.filter.text).toBe('');
    expect(type(typing, 'ck\r', ctx).state.filter.text).toBe('check');
    expect(type(typing, '\u007f\u007f\r', ctx).state.filter.text).toBe('c');
  });
});

describe('prompts bound to an incident', () => {
  it('acknowledges the selected incident at once', () => {
    const { effects } = type(onIncidents(), 'ja', context(['d/a', 'd/b']));
    expect(effects).toEqual([{ type: 'acknowledge', target: ref('b') }]);
  });

  it('assigns and resolves through a prompt that keeps its incident whatever the rows do', () => {
    let result = type(onIncidents(), 'js', context(['d/a', 'd/b']));
    // The list changes completely while the prompt is open: the prompt still acts on b.
    result = type(result.state, 'alice\r', context(['d/x', 'd/y', 'd/z']));
    expect(result.effects).toEqual([{ type: 'assign', target: ref('b'), name: 'alice' }]);
    const resolved = type(onIncidents(), 'rrestarted the pool\r', context(['d/a']));
    expect(resolved.effects).toEqual([{ type: 'resolve', target: ref('a'), notes: 'restarted the pool' }]);
  });

  it('closes only after y; n, Enter and Esc leave it', () => {
    const ctx = context(['d/a']);
    expect(type(onIncidents(), 'cy', ctx).effects).toEqual([{ type: 'close', target: ref('a') }]);
    for (const no of ['n', '\r', '\u001b', 'N']) expect(type(onIncidents(), `c${no}`, ctx).effects).toEqual([]);
    // Other keys do nothing while it asks (a stray q does not quit).
    const asking = type(onIncidents(), 'cq', ctx);
    expect(asking.effects).toEqual([]);
    expect(asking.state.prompt?.kind).toBe('close');
  });

  const LIST: ActionListJson = {
    incident_id: 'b',
    actions: [
      { action_id: 'clear_cache', description: '', risk: 'safe', effect: 'HTTP POST cache', status: 'available', recommended: true, approvers: [] },
      { action_id: 'restart_service', description: '', risk: 'high', effect: 'systemctl restart x', status: 'available', recommended: true, approvers: [] },
    ],
    manual_steps: [],
  };

  function mitigateOn(id: string, rows: string[]): UiResult {
    const opened = type(onIncidents(), `${'j'.repeat(rows.indexOf(`d/${id}`))}m`, context(rows));
    const effect = opened.effects[0] as Extract<Effect, { type: 'list-actions' }>;
    expect(effect).toMatchObject({ type: 'list-actions', target: ref(id) });
    return { state: updateUi(opened.state, { type: 'actions-loaded', promptId: effect.promptId, list: LIST }, context(rows)).state, effects: [] };
  }

  it('runs a safe action after y (default No)', () => {
    const listed = mitigateOn('b', ['d/a', 'd/b']);
    expect(type(listed.state, '\r\r', context([])).effects).toEqual([]);
    expect(type(listed.state, '\ry', context([])).effects).toEqual([{ type: 'mitigate', target: ref('b'), action_id: 'clear_cache' }]);
  });

  it('runs a high-risk action only with an approver and the incident id typed; a wrong id is refused and said', () => {
    const listed = mitigateOn('b', ['d/a', 'd/b']);
    const unrelated = context(['d/q', 'd/r']); // rows that moved meanwhile
    let result = type(listed.state, 'j\r', unrelated);
    expect(result.state.prompt?.kind).toBe('approver');
    result = type(result.state, '\r', unrelated);
    expect(result.state.message?.kind).toBe('error'); // no name: asks again
    result = type(result.state, 'carol\r', unrelated);
    expect(result.state.prompt?.kind).toBe('type-id');
    result = type(result.state, 'a\r', unrelated);
    expect(result.effects).toEqual([]);
    expect(result.state.prompt).toMatchObject({ kind: 'type-id', error: expect.stringContaining('not run') });
    result = type(result.state, 'b\r', unrelated);
    expect(result.effects).toEqual([{ type: 'mitigate', target: ref('b'), action_id: 'restart_service', approved_by: 'carol' }]);
  });

  it('ignores an action list that arrives for a prompt no longer open', () => {
    const opened = type(onIncidents(), 'm', context(['d/a']));
    const closed = type(opened.state, '\u001b', context(['d/a'])).state;
    const late = updateUi(closed, { type: 'actions-loaded', promptId: 1, list: LIST }, context(['d/a'])).state;
    expect(late.prompt).toBeNull();
  });

  it('leaves every mutating key out with --read-only', () => {
    const ctx = context(['d/a'], { readOnly: true });
    for (const key of ['a', 's', 'm', 'r', 'c']) {
      const result = type(onIncidents(), key, ctx);
      expect(result.effects).toEqual([]);
      expect(result.state.prompt).toBeNull();
    }
  });

  it('quits on q, and on Ctrl-C even inside a prompt', () => {
    expect(type(onIncidents(), 'q', context([])).effects).toEqual([{ type: 'quit' }]);
    expect(type(onIncidents(), 'cq', context(['d/a'])).effects).toEqual([]);
    expect(type(onIncidents(), 'c\u0003', context(['d/a'])).effects).toEqual([{ type: 'quit' }]);
  });
});

// The property: over any stream of live updates and keys, (1) while the selected incident is listed, nothing but a
// moving key takes the selection off it, (2) every row the incident list shows passes the filter, (3) an open prompt
// acts on the incident it was opened on.
describe('under random streams of updates and keys (property)', () => {
  const IDS = Array.from({ length: 8 }, (_, i) => `inc_${i}`);
  const STATUSES: IncidentStatus[] = ['detected', 'investigating', 'resolved', 'closed'];
  const MOVES = new Set(['j', 'k', 'g', 'G', 'down', 'up', 'pageup', 'pagedown', 'home', 'end']);

  const updateStep = fc.record({
    kind: fc.constant('update' as const),
    id: fc.constantFrom(...IDS),
    severity: fc.constantFrom(...SEVERITIES),
    status: fc.constantFrom(...STATUSES),
    minutesAgo: fc.integer({ min: 0, max: 600 }),
    component: fc.constantFrom('checkout', 'payments', 'ledger'),
  });
  const keyStep = fc.record({
    kind: fc.constant('keys' as const),
    text: fc.constantFrom(
      'j', 'k', 'g', 'G', '\u001b[6~', '\u001b[5~', '\r', '\u001b', '1', '2', 'm', 's', 'x', '\u001b',
      ':severity critical\r', ':severity high,medium\r', ':status active\r', ':component pay\r', ':since 1h\r', ':clear\r',
      '/pay\r', '/inc_3\r', '/\u0015\r',
    ),
  });

  function incident(step: { id: string; severity: IncidentJson['severity']; status: IncidentStatus; minutesAgo: number; component: string }, seq: number): IncidentJson {
    return incidentJson(step.id, {
      severity: step.severity,
      status: step.status,
      detected_at: new Date(NOW - step.minutesAgo * 60_000).toISOString(),
      affected_components: [step.component],
      updated_at: new Date(NOW + seq).toISOString(),
    });
  }

  it('keeps the selection on its incident, shows only rows that pass the filter, keeps prompts on their incident', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(updateStep, keyStep), { minLength: 1, maxLength: 40 }), (steps) => {
        let incidents: IncidentsState = reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'members', addresses: ['unix:/x'] });
        let ui: UiState = onIncidents();
        const resources = createResourceStore(() => undefined, String);
        const frameOf = (): { input: FrameInput; frame: ReturnType<typeof buildFrame> } => {
          const input: FrameInput = { incidents, ui, resources, theme, now: NOW, readOnly: false, size: { columns: 100, rows: 30 } };
          return { input, frame: buildFrame(input) };
        };
        let seq = 0;
        for (const step of steps) {
          const before = frameOf();
          const selectedBefore = currentView(ui).screen === 'incidents' ? resolveCursor(ui.cursors.incidents, before.frame.screen.rows).key : null;
          const promptTarget = ui.prompt && 'target' in ui.prompt ? ui.prompt.target.key : null;
          let moved = false;
          if (step.kind === 'update') {
            seq++;
            const update = { daemon_id: 'd', seq, kind: 'changed' as const, at: null, incident: incident(step, seq), summary: '' };
            incidents = reduceIncidents(incidents, { type: 'changes', changes: [{ member: 0, change: { type: 'update', update } }] });
          } else {
            for (const key of keys(step.text)) {
              if (ui.prompt === null && MOVES.has(key.name)) moved = true;
              const current = frameOf();
              ui = updateUi(ui, { type: 'key', key }, uiContext(current.input, current.frame)).state;
            }
          }
          // As the controller does after every frame: the row drawn as selected is the selection from now on.
          ui = adoptSelection(ui, frameOf().frame.screen.rows);
          const after = frameOf();
          if (currentView(ui).screen === 'incidents') {
            const rows = after.frame.screen.rows;
            const matches = compileFilter(ui.filter, NOW);
            for (const key of rows) expect(matches(incidents.entries.get(key)!.incident)).toBe(true);
            if (selectedBefore !== null && !moved && rows.includes(selectedBefore)) {
              expect(resolveCursor(ui.cursors.incidents, rows).key).toBe(selectedBefore);
            }
          }
          if (promptTarget !== null && ui.prompt && 'target' in ui.prompt) expect(ui.prompt.target.key).toBe(promptTarget);
        }
      }),
      { numRuns: 100 },
    );
  });
});
