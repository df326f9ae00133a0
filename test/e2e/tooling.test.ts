// Operator tooling end to end against the real daemon: rules changed at runtime (and kept across a restart),
// test-rule on sample events, on an events file and on OTLP/JSON, stats, watch, and every command in every format.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import {
  CLI,
  eventually,
  makeWorkspace,
  removeWorkspace,
  runCli,
  startDaemon,
  type CliResult,
  type DaemonProcess,
} from '../helpers/daemon-process.js';

type Json = Record<string, unknown>;

/** Display width of a line: box-drawing and other BMP characters count one column each. */
const width = (line: string) => [...line].length;

describe('operator tooling', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  const cli = (...args: string[]): Promise<CliResult> =>
    runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });
  const json = async (...args: string[]): Promise<unknown> => {
    const result = await cli(...args, '--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as unknown;
  };

  it('changes rules at runtime, applies them at once, audits them and keeps them across a restart', async () => {
    daemon = await startDaemon(workspace);

    // a stricter threshold applies at once: 12 errors no longer open an incident
    expect(await json('incidents', 'rules', 'update', 'error_burst', '--threshold', '15', '--time-window', '600')).toMatchObject({
      rule_id: 'error_burst',
      error_threshold: 15,
      time_window_seconds: 600,
      history: [expect.objectContaining({ actor: 'ann', kind: 'update', detail: 'error_threshold 10 → 15, time_window_seconds 300 → 600' })],
    });
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await json('incidents', 'list')).toEqual([]);

    // disable / enable several at once; unknown ids change nothing and say which exist
    const disabled = (await json('incidents', 'rules', 'disable', 'service_down', 'quality_drop')) as Json[];
    expect(disabled.map((rule) => [rule.rule_id, rule.enabled])).toEqual([['service_down', false], ['quality_drop', false]]);
    const unknown = await cli('incidents', 'rules', 'enable', 'service_down', 'no_such_rule');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^firewatch: unknown rule no_such_rule \(known: error_burst, service_down/);
    expect(((await json('incidents', 'rules', 'list', '--enabled')) as Json[]).map((rule) => rule.rule_id)).not.toContain('service_down');

    // bad values: exit 2 from the CLI, or a clear refusal from the daemon
    const zero = await cli('incidents', 'rules', 'update', 'error_burst', '--threshold', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--threshold needs a whole number/);
    expect(zero.stderr).toMatch(/usage: firewatch incidents rules update RULE_ID/);
    const badSeverity = await cli('incidents', 'rules', 'update', 'error_burst', '--severity', 'apocalyptic');
    expect(badSeverity.code).toBe(2);

    // a custom rule, created and immediately in force
    const created = (await json(
      'incidents', 'rules', 'create', '--id', 'payments_errors', '--name', 'Payments errors', '--type', 'error_burst',
      '--severity', 'critical', '--threshold', '5', '--time-window', '60', '--event-types', 'api_error', '--source-pattern', 'pay*',
    )) as Json;
    expect(created).toMatchObject({ rule_id: 'payments_errors', builtin: false, enabled: true, match: { event_types: ['api_error'], source_pattern: 'pay*' } });
    const duplicate = await cli('incidents', 'rules', 'create', '--id', 'payments_errors', '--name', 'x', '--type', 'error_burst', '--severity', 'low', '--threshold', '1', '--time-window', '1');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('rule payments_errors already exists');
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(6));
    const [incident] = await eventually(async () => {
      const found = (await json('incidents', 'list')) as Json[];
      return found.length > 0 ? found : undefined;
    });
    expect(incident).toMatchObject({ incident_type: 'error_burst', severity: 'critical', rule_id: 'payments_errors', affected_components: ['payments'] });

    // the changes survive a restart
    expect(await daemon.stop()).toBe(0);
    daemon = await startDaemon(workspace, daemon.configFile);
    const rules = (await json('incidents', 'rules', 'list')) as Json[];
    expect(rules.find((rule) => rule.rule_id === 'error_burst')).toMatchObject({ error_threshold: 15, time_window_seconds: 600 });
    expect(rules.find((rule) => rule.rule_id === 'service_down')).toMatchObject({ enabled: false });
    expect(rules.find((rule) => rule.rule_id === 'payments_errors')).toMatchObject({ severity: 'critical' });
    expect(((await json('incidents', 'rules', 'show', 'service_down')) as Json).history).toEqual([
      expect.objectContaining({ kind: 'disable', actor: 'ann' }),
    ]);

    // reset: back to the file's definition; a rule created at runtime goes away; nothing to reset is refused
    expect(await json('incidents', 'rules', 'reset', 'error_burst', 'payments_errors')).toEqual([
      expect.objectContaining({ rule_id: 'error_burst', error_threshold: 10, time_window_seconds: 300 }),
    ]);
    const ids = ((await json('incidents', 'rules', 'list')) as Json[]).map((rule) => rule.rule_id);
    expect(ids).not.toContain('payments_errors');
    const again = await cli('incidents', 'rules', 'reset', 'error_burst');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('firewatch: error_burst: no runtime changes to reset (rules changed at runtime: quality_drop, service_down)\n');
  });

  it('test-rule: sample events, an events file and OTLP/JSON, with and without creating incidents', async () => {
    daemon = await startDaemon(workspace);

    // dry run on sample events: fires, creates nothing
    expect(await json('incidents', 'test-rule', 'error_burst', '--dry-run')).toMatchObject({
      rule_id: 'error_burst',
      would_fire: true,
      fired_at: expect.any(String),
      matched_events: 10,
    });
    expect(await json('incidents', 'list')).toEqual([]);

    // an events file (IncidentEvents): judged on event time, so 10 errors 40 s apart do not fit a 5-minute window
    const t0 = Date.parse('2025-02-05T10:25:00Z');
    const spread = Array.from({ length: 10 }, (_, i) => ({
      timestamp: new Date(t0 + i * 40_000).toISOString(),
      event_type: 'api_error',
      source: 'api',
      severity: 'high',
      message: `GET /api/users timeout ${i}`,
      metadata: {},
    }));
    const file = join(workspace, 'events.json');
    writeFileSync(file, JSON.stringify(spread));
    const miss = (await json('incidents', 'test-rule', 'error_burst', '--events', file)) as Json;
    expect(miss).toMatchObject({ would_fire: false, fired_at: null, matched_events: 10, dry_run: true });
    expect(String(miss.reason)).toContain('at most 8 matching events fall within any 300s window');
    writeFileSync(file, JSON.stringify(spread.map((event, i) => ({ ...event, timestamp: new Date(t0 + i * 10_000).toISOString() }))));
    expect(await json('incidents', 'test-rule', 'error_burst', '--events', file)).toMatchObject({
      would_fire: true,
      fired_at: '2025-02-05T10:26:30.000Z',
    });

    // OTLP/JSON, one request per line as the Collector's file exporter writes it: converted like the receiver does
    const otlp = join(workspace, 'traces.jsonl');
    const line = (i: number) =>
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: (i + 1).toString(16).padStart(32, '0'),
                    spanId: (i + 1).toString(16).padStart(16, '0'),
                    name: 'POST /api/orders',
                    kind: 2,
                    startTimeUnixNano: String(BigInt(t0 + i * 1_000) * 1_000_000n),
                    endTimeUnixNano: String(BigInt(t0 + i * 1_000 + 20) * 1_000_000n),
                    status: { code: 2, message: 'upstream timed out' },
                  },
                ],
              },
            ],
          },
        ],
      });
    writeFileSync(otlp, Array.from({ length: 12 }, (_, i) => line(i)).join('\n'));
    expect(await json('incidents', 'test-rule', 'error_burst', '--events', otlp)).toMatchObject({
      would_fire: true,
      fired_at: '2025-02-05T10:25:09.020Z', // a span's event time is its end time
      matched_events: 12,
    });

    // not a dry run: the events go through the engine and open a real incident
    const fed = (await json('incidents', 'test-rule', 'error_burst', '--events', otlp, '--dry-run=false')) as Json;
    expect(fed).toMatchObject({ would_fire: true, dry_run: false, incident_ids: ['inc_00001'] });
    expect(((await json('incidents', 'list')) as Json[]).map((incident) => incident.incident_id)).toEqual(['inc_00001']);
    expect(((await json('incidents', 'get', 'inc_00001')) as Json).notes).toEqual([
      expect.stringMatching(/ ann: events fed by firewatch incidents test-rule error_burst \(an events file\)$/),
    ]);

    // bad input: one clear line
    writeFileSync(file, '[{"timestamp": "yesterday", "event_type": "api_error"}]');
    const bad = await cli('incidents', 'test-rule', 'error_burst', '--events', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('firewatch: events: item 0: timestamp must be an ISO-8601 time or epoch milliseconds\n');
  });

  it('watch prints one line per change until interrupted; stats add up', async () => {
    daemon = await startDaemon(workspace);
    const watcher = spawn(process.execPath, [CLI, 'incidents', 'watch', '--socket', daemon.socket, '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watcher.once('exit', resolve));
    const parsedLines = () => output.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);

    // A watcher prints changes from its subscription on, and says nothing when it is piped: the first incident gets
    // notes until the watcher prints one (it may subscribe late on a busy machine), then the scenario goes on.
    await cli('incidents', 'create', '--type', 'cache_failure', '--components', 'redis');
    await eventually(async () => {
      if (parsedLines().some((u) => (u.incident as Json).incident_id === 'inc_00001')) return true;
      await cli('incidents', 'update', 'inc_00001', '--notes', 'is the watcher live yet?');
      return undefined;
    }, 30_000, 500);
    await cli('incidents', 'create', '--type', 'security_breach', '--components', 'vault');
    await cli('incidents', 'resolve', 'inc_00001', '--notes', 'flushed');
    await cli('incidents', 'close', 'inc_00001');
    const lines = await eventually(async () => {
      const parsed = parsedLines();
      return parsed.some((u) => u.kind === 'closed') ? parsed : undefined;
    });
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    const kinds = lines.map((u) => `${String((u.incident as Json).incident_id)} ${String(u.kind)}`);
    expect(kinds).toEqual(expect.arrayContaining(['inc_00002 opened', 'inc_00001 resolved', 'inc_00001 closed']));
    expect(kinds.indexOf('inc_00002 opened')).toBeLessThan(kinds.indexOf('inc_00001 resolved'));
    expect(kinds.indexOf('inc_00001 resolved')).toBeLessThan(kinds.indexOf('inc_00001 closed'));

    // a filtered watch of one incident hears nothing about the other
    const filtered = spawn(process.execPath, [CLI, 'incidents', 'watch', 'inc_00002', '--socket', daemon.socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    let filteredOutput = '';
    filtered.stdout.on('data', (chunk: Buffer) => (filteredOutput += chunk.toString()));
    await eventually(async () => {
      if (filteredOutput.includes('inc_00002')) return true;
      await cli('incidents', 'update', 'inc_00002', '--notes', 'is the filtered watcher live yet?');
      return undefined;
    }, 30_000, 500);
    await cli('incidents', 'create', '--type', 'cache_failure', '--components', 'memcached');
    await cli('incidents', 'acknowledge', 'inc_00002');
    await eventually(async () => (filteredOutput.includes('acknowledged by ann') ? true : undefined));
    filtered.kill('SIGTERM');
    expect(filteredOutput).not.toContain('inc_00003');
    expect(filteredOutput).toMatch(/CHANGED +inc_00002 CRITICAL security_breach/);

    const stats = (await json('incidents', 'stats', '--since', '24h')) as Json;
    expect(stats).toMatchObject({
      total_incidents: 3,
      active_incidents: 2,
      resolved_incidents: 1,
      by_severity: { critical: 1, high: 0, medium: 0, low: 2, info: 0 },
      by_type: { cache_failure: 2, security_breach: 1 },
      auto_resolved: 0,
      manual_resolution: 1,
    });
    expect(Number(stats.avg_mttr_seconds)).toBeGreaterThanOrEqual(0);
  });

  it('JSON output escapes the controls a terminal may obey (list, get, watch), and parses back to the text', async () => {
    // prepare: a watcher, then telemetry whose service name and error message carry an 8-bit CSI, DEL, NEL,
    // a bidi override and a line separator
    daemon = await startDaemon(workspace);
    const watcher = spawn(process.execPath, [CLI, 'incidents', 'watch', '--socket', daemon.socket, '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let watched = '';
    watcher.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    // 'close': the process has exited and its output has all been read
    const exited = new Promise<number | null>((resolve) => watcher.once('close', resolve));
    const hostile = 'card \u009b2J declined\u007f\u0085 \u202eevil\u202c\u2028end';
    const spans = errorSpans(12).map((span) => ({ ...span, error: hostile, attributes: { ...span.attributes, 'user.note': hostile } }));

    // act: the incident opens; notes are added until the watcher (which may subscribe late on a busy machine) has
    // printed an update of it
    await exportSpans(daemon.otlpEndpoint, `pay\u009bments\u202e`, spans);
    await eventually(async () => (((await json('incidents', 'list')) as Json[]).length === 1 ? true : undefined));
    await eventually(async () => {
      if (watched.includes('"inc_00001"') && watched.endsWith('\n')) return true;
      await cli('incidents', 'update', 'inc_00001', '--notes', 'watching');
      return undefined;
    }, 20_000, 500);
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    const list = await cli('incidents', 'list', '--format', 'json');
    const get = await cli('incidents', 'get', 'inc_00001', '--full', '--format', 'json');

    // verify: nothing raw on the terminal, the text intact once parsed
    const forbidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
    for (const [name, output] of [['list', list.stdout], ['get', get.stdout], ['watch', watched]] as const) {
      expect(output, name).not.toMatch(forbidden);
      expect(output, name).toContain('\\u009b');
      const values = output.split('\n').filter((line) => name !== 'watch' || line !== '');
      const parsed = name === 'watch' ? values.map((line) => JSON.parse(line) as unknown) : JSON.parse(output);
      expect(JSON.stringify(parsed), name).toContain('\u009b');
    }
    expect(JSON.stringify(JSON.parse(get.stdout))).toContain(JSON.stringify(hostile).slice(1, -1));
  });

  it('the incident table shows type and components uncut in 80 columns; trace prints sub-millisecond spans in µs', async () => {
    // prepare: two error bursts, the checkout one of 250 µs spans
    daemon = await startDaemon(workspace);
    const quick = errorSpans(12).map((span) => ({ ...span, durationMs: 0.25 }));
    await exportSpans(daemon.otlpEndpoint, 'checkout', quick);
    await exportSpans(daemon.otlpEndpoint, 'billing', errorSpans(12));
    const listed = (await eventually(async () => {
      const found = (await json('incidents', 'list')) as Json[];
      return found.length === 2 ? found : undefined;
    })) as Json[];
    const checkoutTrace = String(((listed.find((i) => (i.affected_components as string[]).includes('checkout'))!.trace_ids) as string[])[0]);

    // act
    const table = await cli('incidents', 'list');
    const traced = await cli('trace', checkoutTrace);

    // verify
    const lines = table.stdout.trim().split('\n');
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^│ ID +│ Type +│ Components +│ Severity +│ Status +│ Detected +│$/);
    expect(table.stdout).toMatch(/│ inc_0000\d +│ error_burst +│ checkout +│ (HIGH|CRITICAL) +│/);
    expect(table.stdout).toMatch(/│ inc_0000\d +│ error_burst +│ billing +│/);
    expect(traced.stdout).toMatch(/checkout  POST \/api\/orders  250µs/);
  });

  it('every command answers in every format: json parses, csv has a header, tables fit 80 columns', async () => {
    daemon = await startDaemon(workspace);
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    await eventually(async () => (((await json('incidents', 'list')) as Json[]).length === 1 ? true : undefined));
    const traceId = String((((await json('incidents', 'list')) as Json[])[0]!.trace_ids as string[])[0]);

    const invocations: Array<string[] | ((format: string) => string[])> = [
      ['incidents', 'list'],
      ['incidents', 'get', 'inc_00001'],
      ['incidents', 'get', 'inc_00001', '--full'],
      ['incidents', 'timeline', 'inc_00001'],
      ['incidents', 'mitigate', 'inc_00001', '--list-actions'],
      ['incidents', 'stats'],
      ['incidents', 'rules', 'list'],
      ['incidents', 'rules', 'show', 'error_burst'],
      ['incidents', 'test-rule', 'quality_drop', '--dry-run'],
      ['incidents', 'update', 'inc_00001', '--notes', 'looking'],
      (format) => ['incidents', 'assign', 'inc_00001', `owner-${format}`], // a new assignee each time
      ['incidents', 'rules', 'update', 'error_burst', '--check-interval', '30'],
      ['trace', traceId],
    ];
    for (const entry of invocations) {
      const command = (format: string) => [...(typeof entry === 'function' ? entry(format) : entry), '--format', format];
      const invocation = command('').slice(0, -2);
      // The three formats run side by side: each is a fresh CLI process (the slow part), the daemon answers in ms.
      const [asJson, asCsv, asTable] = await Promise.all([cli(...command('json')), cli(...command('csv')), cli(...command('table'))]);
      expect(asJson.code, `${invocation.join(' ')} --format json: ${asJson.stderr}`).toBe(0);
      expect(() => JSON.parse(asJson.stdout), invocation.join(' ')).not.toThrow();

      expect(asCsv.code, `${invocation.join(' ')} --format csv: ${asCsv.stderr}`).toBe(0);
      expect(asCsv.stdout.split('\n')[0], invocation.join(' ')).toMatch(/^[a-z_]+(,[a-z_.]+)+$/);

      expect(asTable.code, `${invocation.join(' ')}: ${asTable.stderr}`).toBe(0);
      for (const line of asTable.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l))) {
        expect(width(line), `${invocation.join(' ')}: ${line}`).toBeLessThanOrEqual(80);
      }
    }

    // bad flags: exit 2, usage on stderr, nothing on stdout
    for (const bad of [
      ['incidents', 'list', '--bogus'],
      ['incidents', 'stats', '--since', 'whenever'],
      ['incidents', 'watch', '--severity', 'extreme'],
      ['incidents', 'test-rule'],
      ['incidents', 'rules', 'create', '--id', 'x'],
      ['incidents', 'mitigate', 'inc_00001', '--dry-run'],
    ]) {
      const result = await cli(...bad);
      expect(result.code, bad.join(' ')).toBe(2);
      expect(result.stderr, bad.join(' ')).toMatch(/\nusage: firewatch /);
      expect(result.stdout).toBe('');
    }
  }, 120_000);
});
