// Terminal UI benchmark: DESIGN.md's TUI budgets, measured on what an operator runs.
//
//   npm run build && node --expose-gc dist/bench/tui.bench.js [--incidents 500] [--idle-seconds 60] [--update-seconds 10]
//                                                             [--parts e2e,trace,memory] [--launches 5]
//
// End to end (the built `firewatch tui` in a real pty, 80×24, against the real daemon holding --incidents open
// incidents created through the control API):
//   first frame with data   spawn → the screen shows every incident (budget < 1 s), the median of --launches starts
//   keypress → frame        j/k on the incident list, key written → the first byte of the changed frame (p95 < 50 ms)
//   idle                    CPU of the TUI process (/proc utime+stime) and bytes written over --idle-seconds with
//                           nothing changing (budget < 1 % of a core; 0 bytes/s apart from the age column moving)
//   10 updates/s            severity flips of listed incidents through UpdateIncident, 10 a second for
//                           --update-seconds, bytes written per second on the overview and on the list (≤ 3 KB/s)
// In process (the TUI's own work, React and Ink included, no daemon):
//   5,000-span trace        `t` → the waterfall frame written (budget < 300 ms), then a key moving in it
//   memory                  RSS over 100,000 incident updates through the live store, controller and frames, after
//                           30,000 of warm-up (budget: < 10 MB growth; needs --expose-gc for a stable reading)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import type { ControlClient } from '../api/client.js';
import type { IncidentJson } from '../api/incident.js';
import type { FleetChange } from '../api/session.js';
import type { SpanJson, TraceJson } from '../api/trace.js';
import { connectControl } from '../control/client.js';
import { createController } from '../tui/controller.js';
import { createFrameWriter } from '../tui/frame-writer.js';
import { createLiveStore } from '../tui/live-store.js';
import { traceKey } from '../tui/screen-resources.js';
import { createTheme } from '../tui/theme.js';
import { INITIAL_INCIDENTS_STATE, reduceIncidents } from '../view/incidents-state.js';
import { CLI_SCRIPT, startBenchDaemon, stopOnSignals, type BenchDaemon } from './daemon-child.js';
import { isTuiBundle } from '../tools/build-tui.js';
import { packageRoot } from '../common/package-root.js';
import { ms, summarize } from './percentiles.js';

// As runTui does for the real TUI: React's production build (the development build leaks performance measures).
process.env.NODE_ENV ??= 'production';

const { values } = parseArgs({
  options: {
    incidents: { type: 'string', default: '500' },
    'idle-seconds': { type: 'string', default: '60' },
    'update-seconds': { type: 'string', default: '10' },
    parts: { type: 'string', default: 'e2e,trace,memory' },
    launches: { type: 'string', default: '5' },
    'rows-only': { type: 'boolean', default: false },
  },
});
const PARTS = new Set(values.parts!.split(','));
const INCIDENTS = Math.floor(Number(values.incidents));
const IDLE_SECONDS = Number(values['idle-seconds']);
const LAUNCHES = Math.max(1, Math.floor(Number(values.launches)));
const UPDATE_SECONDS = Number(values['update-seconds']);
const COLUMNS = 80;
const ROWS = 24;
const KEY_PRESSES = 100;
const TRACE_SPANS = 5_000;
const MEMORY_UPDATES = Number(process.env.TUI_BENCH_UPDATES ?? 100_000);
const MEMORY_INCIDENTS = 1_000;
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

const rows: string[] = [];
const row = (what: string, figure: string, budget: string, pass: boolean | undefined) =>
  rows.push(`| ${what} | ${figure} | ${budget} | ${pass === undefined ? '' : pass ? 'PASS' : 'MISS'} |`);
const sleep = (milliseconds: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, milliseconds));

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND; // fields 14 and 15 of stat(5)
}

async function createIncidents(client: ControlClient, count: number): Promise<void> {
  let next = 0;
  const types = ['error_burst', 'service_down', 'performance_degradation', 'memory_exhaustion'] as const;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await client.createIncident({
        incident_type: types[i % types.length]!,
        severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4]!,
        title: `bench incident ${i}`,
        components: [`service-${i % 40}`],
        actor: 'tui-bench',
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** `firewatch tui` started in a pty on the daemon's socket, its screen read through a virtual terminal. */
async function launch(daemon: BenchDaemon) {
  const terminal = new xterm.Terminal({ cols: COLUMNS, rows: ROWS, allowProposedApi: true, scrollback: 0 });
  const waiters: Array<() => void> = [];
  const started = performance.now();
  const tui = pty.spawn(process.execPath, [CLI_SCRIPT, 'tui', '--socket', daemon.socket], {
    name: 'xterm-256color',
    cols: COLUMNS,
    rows: ROWS,
    cwd: daemon.workspace,
    env: { ...process.env, TERM: 'xterm-256color', LANG: 'en_US.UTF-8' } as Record<string, string>,
  });
  const exited = new Promise<void>((resolveExit) => tui.onExit(() => resolveExit()));
  const session = {
    tui,
    bytes: 0,
    lastData: 0,
    waiters,
    screen: () =>
      new Promise<string>((resolveScreen) =>
        terminal.write('', () => {
          const buffer = terminal.buffer.active;
          const lines: string[] = [];
          for (let r = 0; r < ROWS; r++) lines.push(buffer.getLine(r)?.translateToString(true) ?? '');
          resolveScreen(lines.join('\n'));
        }),
      ),
    waitFor: async (text: string, timeoutMs = 20_000) => {
      const deadline = performance.now() + timeoutMs;
      while (!(await session.screen()).includes(text)) {
        if (performance.now() > deadline) throw new Error(`the TUI never showed "${text}":\n${await session.screen()}`);
        await sleep(5);
      }
      return performance.now();
    },
    /** Spawn → every incident on screen, in milliseconds, and the CPU time the TUI process had used by then. */
    firstFrame: Promise.resolve({ wallMs: 0, cpuMs: 0 }),
    async quit() {
      tui.write('q');
      await Promise.race([exited, sleep(5_000)]);
      tui.kill();
    },
  };
  tui.onData((data) => {
    session.bytes += Buffer.byteLength(data);
    session.lastData = performance.now();
    terminal.write(data);
    for (const wake of waiters.splice(0)) wake();
  });
  session.firstFrame = session.waitFor(`Active incidents (${INCIDENTS})`).then((shown) => ({ wallMs: shown - started, cpuMs: cpuSeconds(tui.pid) * 1000 }));
  return session;
}

/** Whether the TUI measured is the one `npm run build` makes (React and Ink in one file) or tsc's alone. */
function bundleNote(): string {
  return isTuiBundle(join(packageRoot(), 'dist', 'tui', 'app.js')) ? 'bundled UI' : 'UNBUNDLED UI: tsc only, run npm run build';
}

async function endToEnd(): Promise<void> {
  const daemon = await startBenchDaemon();
  let tui: ReturnType<typeof pty.spawn> | undefined;
  stopOnSignals(daemon);
  try {
    const client = connectControl(daemon.socket, { deadlineMs: 60_000 });
    await createIncidents(client, INCIDENTS);
    const incidents = (await client.listIncidents({ status: ['active'], limit: 0 })).incidents;

    // First frame: the median of --launches starts against the same daemon (one start says little on a shared
    // machine); the last TUI started stays up for the rows below.
    // The TUI's own CPU time until then says what the start costs however loaded the machine is (wall time waits for
    // the daemon and for the other processes too).
    const firstFrames: number[] = [];
    const firstFrameCpu: number[] = [];
    let session: Awaited<ReturnType<typeof launch>> | undefined;
    for (let n = 0; n < LAUNCHES; n++) {
      if (session) await session.quit();
      session = await launch(daemon);
      tui = session.tui;
      const { wallMs, cpuMs } = await session.firstFrame;
      firstFrames.push(wallMs);
      firstFrameCpu.push(cpuMs);
    }
    const firstFrame = summarize(firstFrames);
    row(
      `first frame with ${INCIDENTS} incidents (spawn → on screen), ${bundleNote()}`,
      `median ${ms(firstFrame.p50)} ms (${ms(Math.min(...firstFrames))}–${ms(firstFrame.max)}, ${LAUNCHES} starts); TUI CPU by then: median ${ms(summarize(firstFrameCpu).p50)} ms`,
      '< 1,000 ms',
      firstFrame.p50 < 1_000,
    );
    const { waitFor, waiters } = session!;
    const lastData = () => session!.lastData;
    const bytesWritten = () => session!.bytes;
    // Settle: the components and stats arrive just after the first frame.
    while (performance.now() - lastData() < 500) await sleep(50);

    // Keypress → changed frame, on the incident list.
    tui!.write('2');
    await waitFor('Incidents  ');
    while (performance.now() - lastData() < 300) await sleep(20);
    const latencies: number[] = [];
    for (let i = 0; i < KEY_PRESSES; i++) {
      const key = i < KEY_PRESSES / 2 ? 'j' : 'k';
      const frame = new Promise<void>((wake) => waiters.push(wake));
      const at = performance.now();
      tui!.write(key);
      await frame;
      latencies.push(performance.now() - at);
      await sleep(20);
    }
    const keys = summarize(latencies);
    row(`keypress → changed frame (j/k, ${KEY_PRESSES} presses)`, `p50 ${ms(keys.p50)} · p95 ${ms(percentile95(latencies))} · max ${ms(keys.max)} ms`, 'p95 < 50 ms', percentile95(latencies) < 50);

    // Idle.
    tui!.write('1');
    while (performance.now() - lastData() < 500) await sleep(50);
    const cpuBefore = cpuSeconds(tui!.pid);
    const bytesBefore = bytesWritten();
    await sleep(IDLE_SECONDS * 1000);
    const cpuShare = (cpuSeconds(tui!.pid) - cpuBefore) / IDLE_SECONDS;
    row(`idle with ${INCIDENTS} open incidents, ${IDLE_SECONDS} s: CPU`, `${(cpuShare * 100).toFixed(2)} % of a core`, '< 1 %', cpuShare < 0.01);
    row(`idle, ${IDLE_SECONDS} s: bytes written`, `${((bytesWritten() - bytesBefore) / IDLE_SECONDS).toFixed(1)} B/s (${bytesWritten() - bytesBefore} B)`, '0 B/s but the clock', undefined);

    // 10 updates a second: severity flips of incidents high in the list.
    for (const [screenKey, label] of [['1', 'overview'], ['2', 'incident list']] as const) {
      tui!.write(screenKey);
      while (performance.now() - lastData() < 300) await sleep(20);
      const from = bytesWritten();
      const end = performance.now() + UPDATE_SECONDS * 1000;
      let n = 0;
      while (performance.now() < end) {
        const tick = performance.now();
        const target = incidents[n % 20]!;
        // Each update flips a listed incident between critical and high: its row changes and moves.
        const severity = target.severity === 'critical' ? 'high' : 'critical';
        await client.updateIncident({ actor: 'tui-bench', incident_id: target.incident_id, severity });
        target.severity = severity;
        n++;
        await sleep(Math.max(0, 100 - (performance.now() - tick)));
      }
      await sleep(300);
      const rate = (bytesWritten() - from) / UPDATE_SECONDS;
      row(`${(n / UPDATE_SECONDS).toFixed(1)} updates/s for ${UPDATE_SECONDS} s, ${label}, 80×24`, `${(rate / 1024).toFixed(2)} KB/s`, '≤ 3 KB/s', rate <= 3 * 1024);
    }
    tui!.write('q');
    client.close();
  } finally {
    tui?.kill();
    await daemon.stop();
  }
}

function percentile95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)]!;
}

function incident(id: string, overrides: Partial<IncidentJson> = {}): IncidentJson {
  return {
    incident_id: id,
    incident_type: 'error_burst',
    severity: 'high',
    status: 'investigating',
    title: `Error Burst - ${id}`,
    description: '',
    detected_at: new Date(Date.now() - 600_000).toISOString(),
    first_event_at: null,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: ['checkout'],
    event_count: 1,
    assigned_to: null,
    mttd: 1,
    mttr: null,
    root_cause: { primary_error_type: 'api_error', primary_source: 'checkout', error_distribution: {}, source_distribution: {} },
    users_affected: 0,
    similar_incidents: [],
    trace_ids: [],
    notes: [],
    actions: [],
    rule_id: 'error_burst',
    last_event_at: null,
    updated_at: new Date().toISOString(),
    status_history: [],
    acknowledged_by: null,
    acknowledged: false,
    auto_resolved: false,
    resolution: null,
    peak_error_rate: null,
    silenced_by: null,
    related_incidents: [],
    ...overrides,
  };
}

/** The TUI's own pieces in this process: a controller over `live`, React and Ink writing frames to a byte counter. */
async function inProcessTui(live: Parameters<typeof createController>[0]['live'], clients: ControlClient[] = []) {
  const { mountApp } = await import('../tui/app.js');
  const writes: Array<() => void> = [];
  const writer = createFrameWriter(() => {
    for (const wake of writes.splice(0)) wake();
  }, { maxRows: ROWS - 1, ascii: false });
  const sink = Object.assign(new EventEmitter(), { columns: COLUMNS, rows: ROWS, isTTY: false, write: (data: string) => (writer.frame(data), true) });
  const controller = createController({
    clients,
    live,
    theme: createTheme({ colour: true, ascii: false }),
    readOnly: false,
    actor: 'bench',
    size: { columns: COLUMNS, rows: ROWS },
    exportDirectory: '.',
    onQuit: () => undefined,
    onSuspend: () => undefined,
  });
  const ink = mountApp(controller, { stdout: sink as never, stdin: new EventEmitter() as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  return { controller, writer, nextWrite: () => new Promise<void>((wake) => writes.push(wake)), stop: () => (ink.unmount(), controller.dispose()) };
}

async function bigTrace(): Promise<void> {
  const start = Date.now() - 60_000;
  const spans: SpanJson[] = [];
  for (let i = 0; i < TRACE_SPANS; i++) {
    const depth = i === 0 ? 0 : 1 + (i % 4);
    spans.push({
      trace_id: 'big',
      span_id: `s${i}`,
      parent_span_id: i === 0 ? '' : `s${i - 1}`,
      service: `svc-${i % 9}`,
      name: `operation ${i}`,
      kind: 'internal',
      start: new Date(start + i * 7).toISOString(),
      end: null,
      duration_ms: i === 0 ? 40_000 : 3 + (i % 40),
      status: i % 101 === 0 ? 'error' : 'ok',
      status_message: '',
      exception_type: '',
      exception_message: '',
      http_status: 0,
      peer: '',
      failed: i % 101 === 0,
      depth,
      attributes: [{ key: 'operation.index', value: String(i) }],
      attributes_dropped: 0,
    });
  }
  const trace: TraceJson = { trace_id: 'big', services: ['svc'], incident_ids: ['inc_1'], spans, events: [] };
  const state = reduceIncidents(reduceIncidents(INITIAL_INCIDENTS_STATE, { type: 'members', addresses: ['bench'] }), {
    type: 'loaded',
    member: 0,
    daemon_id: 'd',
    incidents: [incident('inc_1', { trace_ids: ['big'] })],
  });
  const tui = await inProcessTui({ getState: () => state, subscribe: () => () => undefined, refreshSoon: () => undefined });
  tui.controller.resources.ensure(traceKey(0, 'big'), '1', () => Promise.resolve(trace));
  await sleep(10);
  const key = (name: string) => ({ name, text: name });
  let written = tui.nextWrite();
  const opened = performance.now();
  tui.controller.keys([key('t')]);
  await written;
  const openMs = performance.now() - opened;
  row(`${TRACE_SPANS.toLocaleString('en-US')}-span trace: t → waterfall frame written (fetched already)`, `${ms(openMs)} ms`, '< 300 ms', openMs < 300);
  const moves: number[] = [];
  for (let i = 0; i < 50; i++) {
    written = tui.nextWrite();
    const at = performance.now();
    tui.controller.keys([key(i % 10 === 9 ? 'pagedown' : 'j')]);
    await written;
    moves.push(performance.now() - at);
  }
  const summary = summarize(moves);
  row(`${TRACE_SPANS.toLocaleString('en-US')}-span trace: a key moving in it`, `p50 ${ms(summary.p50)} · p95 ${ms(percentile95(moves))} · max ${ms(summary.max)} ms`, 'p95 < 50 ms', percentile95(moves) < 50);
  tui.stop();
}

async function memory(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let push: (change: FleetChange) => void = () => undefined;
  const idle: ControlClient = {
    address: 'bench',
    listIncidents: async () => ({ incidents: [], total_matched: 0 }),
    components: async () => ({ window_seconds: 300, components: [] }),
    stats: async () => {
      throw new Error('no stats in the benchmark');
    },
  } as unknown as ControlClient;
  const live = createLiveStore([idle], {
    timers: { setTimeout: (fn) => setImmediate(fn), clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate) },
    createFleet: (_clients, onChange) => {
      push = onChange;
      return { start: () => undefined, close: async () => undefined };
    },
  });
  const tui = await inProcessTui(live, [idle]);
  live.start();
  push({ member: 0, change: { type: 'connected', address: 'bench', daemon_id: 'd', resumed: false } });
  let seq = 0;
  const feed = async (count: number) => {
    for (let i = 0; i < count; i++) {
      seq++;
      const id = `inc_${seq % MEMORY_INCIDENTS}`;
      push({
        member: 0,
        change: {
          type: 'update',
          update: { daemon_id: 'd', seq, kind: 'changed', at: null, incident: incident(id, { event_count: seq, severity: seq % 3 === 0 ? 'critical' : 'high' }), summary: `${seq}` },
        },
      });
      if (seq % 500 === 0) await new Promise((resolveTurn) => setImmediate(resolveTurn)); // a flush, a frame
    }
  };
  await feed(30_000); // warm: every incident known, the heap and the JIT grown to their working size
  // After a full collection, and again until the heap stops shrinking: V8 gives pages back lazily, so one reading
  // right after a burst of garbage says more about the collector's timing than about what the TUI keeps.
  const settled = async () => {
    let best = process.memoryUsage();
    for (let i = 0; i < 5; i++) {
      gc?.();
      await sleep(100);
      const now = process.memoryUsage();
      if (now.rss < best.rss) best = now;
    }
    return best;
  };
  const before = await settled();
  for (let done = 0; done < MEMORY_UPDATES; done += 20_000) {
    await feed(20_000);
    if (process.env.TUI_BENCH_VERBOSE) {
      const m = await settled();
      console.error(`after ${done + 20_000}: rss ${(m.rss / 1048576).toFixed(1)} MB heap ${(m.heapUsed / 1048576).toFixed(1)} MB`);
    }
  }
  const after = await settled();
  const growth = (after.rss - before.rss) / 1024 / 1024;
  const heapGrowth = (after.heapUsed - before.heapUsed) / 1024 / 1024;
  row(
    `RSS growth over ${MEMORY_UPDATES.toLocaleString('en-US')} incident updates (${MEMORY_INCIDENTS} incidents)${gc ? '' : ' (no --expose-gc)'}`,
    `${growth.toFixed(1)} MB (heap ${heapGrowth >= 0 ? '+' : ''}${heapGrowth.toFixed(1)} MB)`,
    '< 10 MB',
    growth < 10,
  );
  tui.stop();
  await live.close();
}

/** Each part in a process of its own: what one part leaves on the heap (a pty, a terminal) must not weigh on the next. */
async function runPartsInChildren(parts: readonly string[]): Promise<number> {
  const { spawn } = await import('node:child_process');
  let failed = 0;
  for (const part of parts) {
    const args = [...process.execArgv, process.argv[1]!, ...process.argv.slice(2).filter((arg, i, all) => arg !== '--parts' && all[i - 1] !== '--parts'), '--parts', part, '--rows-only'];
    const code = await new Promise<number | null>((resolveChild) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('exit', (exit) => {
        for (const line of out.split('\n')) if (line.startsWith('| ')) rows.push(line);
        resolveChild(exit);
      });
    });
    if (code !== 0) failed = 1;
  }
  return failed;
}

let exitCode = 0;
const rowsOnly = process.argv.includes('--rows-only');
try {
  if (PARTS.size > 1 && !rowsOnly) {
    exitCode = await runPartsInChildren([...PARTS]);
  } else {
    if (PARTS.has('e2e')) await endToEnd();
    if (PARTS.has('trace')) await bigTrace();
    if (PARTS.has('memory')) await memory();
  }
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  exitCode = 1;
}
if (rowsOnly) {
  for (const line of rows) console.log(line);
} else {
  console.log(`\nfirewatch tui (${COLUMNS}×${ROWS}, Node ${process.version}, ${INCIDENTS} open incidents for the end-to-end rows)`);
  console.log('| measure | figure | budget | |');
  console.log('|---|---:|---|---|');
  for (const line of rows) console.log(line);
}
process.exit(exitCode);
