// Post-mortem rendering: one golden file for a whole, realistic incident, plus unit cases for what the golden file
// cannot show (hostile text, drafts, long timelines, no actions).
//
// Golden file: engine/testdata/postmortem.golden.md is the expected output for engine/testdata/postmortem-incident.json.
// After an intended change of the output, regenerate it and review the diff:
//
//   UPDATE_GOLDEN=1 npx vitest run engine/postmortem.test.ts
//
// Without UPDATE_GOLDEN the file is only read, never written.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDurationShort, formatDurationWords, markdownCell, MAX_TIMELINE_ROWS, renderPostmortem } from './postmortem.js';
import type { PostmortemInput } from './postmortem.js';
import type { Runbook } from './runbook.js';
import type { AuditEntry, Incident, IncidentEvent, StatusChange } from './types.js';

const INPUT_FILE = fileURLToPath(new URL('./testdata/postmortem-incident.json', import.meta.url));
const GOLDEN_FILE = fileURLToPath(new URL('./testdata/postmortem.golden.md', import.meta.url));

type Json = Record<string, unknown>;

function ms(iso: unknown): number {
  const value = Date.parse(String(iso));
  if (Number.isNaN(value)) throw new Error(`testdata: not a time: ${String(iso)}`);
  return value;
}

function msOrNull(iso: unknown): number | null {
  return iso === null ? null : ms(iso);
}

/** The testdata file (ISO times, for people) as PostmortemInput (epoch ms, as the engine keeps them). */
function loadInput(): PostmortemInput {
  const raw = JSON.parse(readFileSync(INPUT_FILE, 'utf8')) as Json;
  const inc = raw.incident as Json;
  const incident = {
    ...inc,
    detected_at: ms(inc.detected_at),
    first_event_at: ms(inc.first_event_at),
    last_event_at: ms(inc.last_event_at),
    acknowledged_at: msOrNull(inc.acknowledged_at),
    resolved_at: msOrNull(inc.resolved_at),
    closed_at: msOrNull(inc.closed_at),
    updated_at: ms(inc.updated_at),
    actions: (inc.actions as Json[]).map((a) => ({ ...a, at: ms(a.at) })),
    status_history: (inc.status_history as Json[]).map((c) => ({ ...c, at: ms(c.at) })),
  } as unknown as Incident;
  return {
    incident,
    timeline: (raw.timeline as Json[]).map(
      (e) => ({ ...e, timestamp: ms(e.timestamp), received_at: ms(e.received_at) }) as unknown as IncidentEvent,
    ),
    timelineTotal: raw.timelineTotal as number,
    audit: (raw.audit as Json[]).map((a) => ({ ...a, at: ms(a.at) }) as unknown as AuditEntry),
    runbook: raw.runbook as Runbook,
    generatedAt: ms(raw.generatedAt),
  };
}

/** Lines of the Markdown table that follows `## <section>` (header and separator included). */
function tableOf(markdown: string, section: string): string[] {
  const body = markdown.split(`## ${section}\n`)[1] ?? '';
  const end = body.indexOf('\n## ');
  return (end === -1 ? body : body.slice(0, end)).split('\n').filter((line) => line.startsWith('|'));
}

/** Splits a table row at its unescaped pipes, as GFM does (a backslash escapes the next character). */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i] as string;
    if (ch === '\\') {
      current += ch + (row[i + 1] ?? '');
      i++;
    } else if (ch === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  cells.push(current.trim());
  return cells.slice(1, -1); // the row starts and ends with a pipe
}

function event(i: number, overrides: Partial<IncidentEvent> = {}): IncidentEvent {
  return {
    seq: i + 1,
    event_id: `evt_${i + 1}`,
    timestamp: Date.UTC(2025, 1, 5, 10, 0, 0) + i * 1000,
    received_at: Date.UTC(2025, 1, 5, 10, 0, 0) + i * 1000,
    incident_id: 'inc_00042',
    event_type: 'error',
    source: 'checkout',
    severity: 'high',
    message: `failure ${i + 1}`,
    metadata: {},
    correlation_id: '',
    span_id: '',
    ...overrides,
  };
}

describe('renderPostmortem golden file', () => {
  it('renders the reference incident exactly as engine/testdata/postmortem.golden.md', () => {
    // prepare
    const input = loadInput();

    // act
    const markdown = renderPostmortem(input);

    // verify
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN_FILE, markdown);
    expect(markdown).toBe(readFileSync(GOLDEN_FILE, 'utf8'));
  });

  it('is deterministic and does not modify its input', () => {
    const input = loadInput();
    const before = JSON.stringify(input);
    expect(renderPostmortem(input)).toBe(renderPostmortem(loadInput()));
    expect(JSON.stringify(input)).toBe(before);
  });

  it('has the seed template sections in order', () => {
    const markdown = renderPostmortem(loadInput());
    const headings = markdown.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# Incident Post-Mortem: inc_00042',
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Root Cause',
      '## Resolution',
      '## Remediation Actions',
      '## Follow-Up Items',
      '## Runbook',
      '## Metrics',
      '## Generated At',
    ]);
  });

  it('reports one row per action with its final outcome', () => {
    const rows = tableOf(renderPostmortem(loadInput()), 'Remediation Actions').slice(2).map(cellsOf);
    expect(rows.map((cells) => cells.slice(0, 2))).toEqual([
      ['clear_cache', 'Success'],
      ['restart_service', 'Failed'],
      ['scale_up', 'Success'],
    ]);
  });
});

describe('markdownCell', () => {
  it.each([
    ['a | b', 'a \\| b'],
    ['line one\nline two\r\nthree', 'line one line two three'],
    ['[click](http://evil.example)', '\\[click\\](http://evil.example)'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)>'],
    ['`code`', '\\`code\\`'],
    ['*bold* _it_ error_burst', '\\*bold\\* \\_it\\_ error_burst'],
    ['back\\slash|pipe', 'back\\\\slash\\|pipe'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. first', '1\\. first'],
    ['&#27;[31m', '\\&#27;\\[31m'],
    ['a && b', 'a && b'],
  ])('escapes %j', (input, expected) => {
    expect(markdownCell(input)).toBe(expected);
  });

  it('strips escape sequences and control characters', () => {
    expect(markdownCell('\u001b[31mred\u001b[0m \u001b]52;c;ZXZpbA==\u0007done\u0000\u009b2J')).toBe('red done');
  });

  it('bounds the length', () => {
    expect(markdownCell('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('durations', () => {
  it.each([
    [0, '0 seconds', '0s'],
    [2.5, '3 seconds', '2.5s'],
    [120, '2 minutes', '2m'],
    [150, '2 minutes 30 seconds', '2m 30s'],
    [2700, '45 minutes', '45m'],
    [3900, '1 hour 5 minutes', '1h 5m'],
    [90_061, '1 day 1 hour', '1d 1h'],
  ])('%d s', (seconds, words, short) => {
    expect(formatDurationWords(seconds)).toBe(words);
    expect(formatDurationShort(seconds)).toBe(short);
  });
});

describe('renderPostmortem', () => {
  it('keeps hostile event text inside one table cell, without control characters', () => {
    // prepare
    const input = loadInput();
    const hostile =
      'boom | injected | cells\n| fake | row |\r\n\u001b[31mred\u001b[0m \u001b]52;c;ZXZpbA==\u0007 `tick` <script>x</script>';
    input.timeline = [event(0, { message: hostile, source: 'svc|evil\n# Heading', timestamp: input.incident.first_event_at })];
    input.timelineTotal = 1;
    input.incident.notes = [hostile];
    input.incident.root_cause.root_span!.status_message = hostile;

    // act
    const markdown = renderPostmortem(input);

    // verify
    expect(markdown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const eventRows = tableOf(markdown, 'Timeline').filter((row) => row.includes('boom'));
    expect(eventRows).toHaveLength(1);
    const cells = cellsOf(eventRows[0] as string);
    expect(cells).toHaveLength(3);
    expect(cells[1]).toContain('boom \\| injected \\| cells \\| fake \\| row \\|');
    expect(cells[1]).toContain('\\`tick\\` \\<script>x\\</script>');
    expect(cells[1]).not.toContain('52;c');
    expect(cells[2]).toBe('svc\\|evil # Heading');
    const spanRow = tableOf(markdown, 'Root Cause').find((row) => row.startsWith('| Status message'));
    expect(cellsOf(spanRow as string)).toHaveLength(2);
    // No line of the document starts a heading or a table row that we did not write.
    expect(markdown.split('\n').filter((line) => line.startsWith('| fake'))).toEqual([]);
    expect(markdown.split('\n').filter((line) => line.startsWith('# '))).toHaveLength(1);
  });

  it('names the related incidents under Impact, and says nothing of them when there are none', () => {
    const input = loadInput();
    expect(renderPostmortem(input)).not.toContain('Related Incidents');
    input.incident.related_incidents = ['inc_00007', 'inc_00009'];
    expect(renderPostmortem(input)).toContain('- **Related Incidents**: inc_00007, inc_00009 (open on the same components at the same time)');
  });

  it('marks a draft with the incident status and says it is not resolved', () => {
    // prepare
    const input = loadInput();
    Object.assign(input.incident, {
      status: 'investigating',
      resolved_at: null,
      mttr: null,
      resolution: '',
      status_history: input.incident.status_history.filter((c: StatusChange) => c.at <= Date.UTC(2025, 1, 5, 10, 31)),
    });
    input.draft = true;
    input.generatedAt = Date.UTC(2025, 1, 5, 10, 40);

    // act
    const markdown = renderPostmortem(input);

    // verify
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Incident Post-Mortem: inc_00042');
    expect(lines[2]).toBe(
      '**Draft — the incident is still investigating.** Figures are as of 2025-02-05T10:40:00.000Z and will change.',
    );
    expect(markdown).toContain('Not resolved yet: the incident is investigating.');
    expect(markdown).toContain('- **Duration**: ongoing, 13 minutes since detection as of 2025-02-05T10:40:00.000Z');
    expect(markdown).toContain('- **MTTR**: not resolved yet');
  });

  it('has no draft line unless asked', () => {
    expect(renderPostmortem(loadInput())).not.toContain('Draft');
  });

  it('caps a 120-event timeline at 50 rows, keeping the first and the last', () => {
    // prepare
    const input = loadInput();
    input.timeline = Array.from({ length: 120 }, (_, i) => event(i));
    input.timelineTotal = 120;
    input.incident.status_history = [];
    input.audit = [];

    // act
    const rows = tableOf(renderPostmortem(input), 'Timeline').slice(2);

    // verify
    expect(rows).toHaveLength(MAX_TIMELINE_ROWS);
    expect(rows[0]).toContain('failure 1');
    expect(rows[24]).toContain('failure 25');
    expect(rows[25]).toBe('| … | … 71 more events | … |');
    expect(rows[26]).toContain('failure 97');
    expect(rows[49]).toContain('failure 120');
  });

  it('counts the kinds of entries it leaves out', () => {
    const input = loadInput();
    input.timeline = Array.from({ length: 60 }, (_, i) => event(i));
    input.incident.status_history = [
      { at: Date.UTC(2025, 1, 5, 10, 0, 30, 500), from: 'detected', to: 'assessing', by: 'firewatch', reason: '' },
    ];
    input.audit = [];
    const rows = tableOf(renderPostmortem(input), 'Timeline');
    expect(rows).toContain('| … | … 11 more events, 1 status change | … |');
  });

  it('says when the caller passed only part of the events', () => {
    const input = loadInput();
    input.timelineTotal = 500;
    expect(renderPostmortem(input)).toContain("Only 6 events of the incident's 500 are included here");
  });

  it('puts a date row above each day when the incident spans days', () => {
    const input = loadInput();
    input.timeline = [event(0), event(1, { timestamp: Date.UTC(2025, 1, 6, 0, 5, 0) })];
    input.incident.status_history = [];
    input.audit = [];
    const markdown = renderPostmortem(input);
    expect(markdown).toContain('All times are UTC; the incident spans 2025-02-05 to 2025-02-06');
    const rows = tableOf(markdown, 'Timeline').slice(2);
    expect(rows[0]).toBe('| **2025-02-05** |  |  |');
    expect(rows[2]).toBe('| **2025-02-06** |  |  |');
    expect(rows[3]).toMatch(/^\| 00:05:00 \|/);
  });

  it('says no remediation actions were run instead of printing an empty table', () => {
    // prepare
    const input = loadInput();
    input.audit = [];

    // act
    const markdown = renderPostmortem(input);

    // verify
    expect(markdown).toContain('## Remediation Actions\n\nNo remediation actions were run.\n');
    expect(tableOf(markdown, 'Remediation Actions')).toEqual([]);
    expect(markdown).toContain('Actions taken: none succeeded according to the remediation audit log.');
  });

  it('says "not measured" for figures firewatch did not measure', () => {
    const input = loadInput();
    input.incident.users_affected = 0;
    input.incident.peak_error_rate = null;
    const markdown = renderPostmortem(input);
    expect(markdown).toContain('- **Users Impacted**: not measured');
    expect(markdown).toContain('- **Peak Error Rate**: not measured');
  });

  it('asks for a runbook when none is configured, and leaves out the Runbook section', () => {
    const input = loadInput();
    delete input.runbook;
    const markdown = renderPostmortem(input);
    expect(markdown).toContain('[ ] Write a runbook for error_burst incidents');
    expect(markdown).not.toContain('## Runbook');
  });

  it('reports approvals that are still pending or expired, and refusals after a run do not hide its result', () => {
    const input = loadInput();
    const base = { incident_id: 'inc_00042', risk: 'medium' as const, approved_by: null, detail: '' };
    const at = Date.UTC(2025, 1, 5, 10, 50);
    input.audit = [
      { ...base, seq: 1, at, action_id: 'rollback', kind: 'approval_requested', actor: 'john.doe' },
      { ...base, seq: 2, at: at + 1, action_id: 'rollback', kind: 'refused', actor: 'eve', detail: 'eve may not approve' },
      { ...base, seq: 3, at, action_id: 'restart', kind: 'approval_requested', actor: 'john.doe' },
      { ...base, seq: 4, at: at + 2, action_id: 'restart', kind: 'expired', actor: 'firewatch' },
      { ...base, seq: 5, at, action_id: 'flush', kind: 'succeeded', actor: 'firewatch', detail: 'exit 0' },
      { ...base, seq: 6, at: at + 3, action_id: 'flush', kind: 'refused', actor: 'john.doe', detail: 'cooldown' },
    ];
    const markdown = renderPostmortem(input);
    const rows = tableOf(markdown, 'Remediation Actions').slice(2).map(cellsOf);
    expect(rows.map((cells) => cells.slice(0, 2))).toEqual([
      ['rollback', 'Awaiting approval'],
      ['restart', 'Expired'],
      ['flush', 'Success'],
    ]);
    expect(markdown).toContain('[ ] Revisit action rollback: awaiting approval');
    expect(markdown).toContain('[ ] Revisit action restart: expired');
    expect(markdown).not.toContain('Revisit action flush');
  });
});
