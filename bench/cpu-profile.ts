// Summarises a V8 CPU profile (`node --cpu-prof`) of the daemon by ingest stage: where the main thread's time goes,
// per span. Used by bench/profile-ingest.ts; also a command of its own:
//
//   node dist/bench/cpu-profile.js FILE.cpuprofile [--us-per-span MAIN_THREAD_CPU_US] [--from US --to US] [--top 25]
//
// A sample is charged to a stage by its innermost frame that says something: builtins without a script (Map.get,
// Array.push, String.fromCharCode) and node's buffer/util helpers are transparent, so their time goes to whoever
// called them; library and node I/O frames (grpc-js, http2, streams, lmdb, msgpackr) are charged to their layer even
// when our code called them. V8's own buckets (GC, program, idle) are kept apart.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The stages of the ingest path, in the order tables print them. */
export const STAGES = [
  'gRPC: grpc-js',
  'gRPC: node http2 + net + streams',
  'gRPC: events, ticks, timers',
  'receiver: handler, admission, auth',
  'wire scan',
  'conversion (drafts, span records)',
  'trace ring + index',
  'detection + incidents (engine)',
  'group commit + LMDB (main thread)',
  'daemon glue (turns, writer, metrics)',
  'GC',
  '(program)',
  'other',
] as const;
export type Stage = (typeof STAGES)[number];

/** Stage of one frame, or null when the frame is transparent (charged to its caller). */
function stageOfFrame(frame: CallFrame): Stage | null | 'idle' | 'root' {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return '(program)';
    if (functionName === '(root)') return 'root';
    return null;
  }
  if (url.includes('@grpc/grpc-js')) return 'gRPC: grpc-js';
  if (url.includes('node_modules/lmdb') || url.includes('node_modules/msgpackr')) return 'group commit + LMDB (main thread)';
  if (url.startsWith('node:')) {
    if (/http2|node:net|stream|node:internal\/net|tcp_wrap|node:internal\/js_stream|node:zlib/.test(url)) return 'gRPC: node http2 + net + streams';
    if (/node:events|task_queues|timers|node:internal\/process|async_hooks/.test(url)) return 'gRPC: events, ticks, timers';
    return null; // buffer, util, …: whoever called them
  }
  const path = url.replace(/^file:\/\//, '');
  if (/\/receiver\/(wire\/|trace\/(trace-scanner|span-view|span-attribute-keys))/.test(path)) return 'wire scan';
  if (/\/receiver\/(trace\/|logs\/|metrics\/|export-pipeline)/.test(path)) return 'conversion (drafts, span records)';
  if (/\/receiver\//.test(path)) return 'receiver: handler, admission, auth';
  if (/\/engine\/(trace-ring|trace-chains|packed-span-record|span-columns)/.test(path)) return 'trace ring + index';
  if (/\/engine\//.test(path)) return 'detection + incidents (engine)';
  if (/\/store\//.test(path) || /\/daemon\/incident-writer/.test(path)) return 'group commit + LMDB (main thread)';
  if (/\/daemon\//.test(path)) return 'daemon glue (turns, writer, metrics)';
  return 'other';
}

export interface ProfileSummary {
  /** Sampled main-thread time within the window, µs, by stage (idle excluded). */
  byStage: Map<Stage, number>;
  busyUs: number;
  idleUs: number;
  /** Self time by function (`name file:line`), µs. */
  selfByFunction: Map<string, number>;
  /** Self time by function within each stage, µs. */
  selfByStage: Map<Stage, Map<string, number>>;
}

/** Charges every sample in [fromUs, toUs] (the profile's clock: CLOCK_MONOTONIC µs, as process.hrtime) to a stage. */
export function summariseProfile(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) byId.get(child)!.parent = node.id;
  const stageCache = new Map<number, Stage | 'idle' | 'root'>();
  const stageOf = (id: number): Stage | 'idle' | 'root' => {
    const cached = stageCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    let stage = stageOfFrame(node.callFrame);
    if (stage === null) stage = node.parent === undefined ? 'other' : stageOf(node.parent);
    stageCache.set(id, stage);
    return stage;
  };
  const byStage = new Map<Stage, number>();
  const selfByFunction = new Map<string, number>();
  const selfByStage = new Map<Stage, Map<string, number>>();
  let busyUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (at < fromUs || at > toUs || duration <= 0) continue;
    const id = profile.samples[i]!;
    const stage = stageOf(id);
    if (stage === 'idle' || stage === 'root') {
      idleUs += duration;
      continue;
    }
    busyUs += duration;
    byStage.set(stage, (byStage.get(stage) ?? 0) + duration);
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^file:\/\//, '');
    const key = `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + duration);
    let inStage = selfByStage.get(stage);
    if (inStage === undefined) selfByStage.set(stage, (inStage = new Map()));
    inStage.set(key, (inStage.get(key) ?? 0) + duration);
  }
  return { byStage, busyUs, idleUs, selfByFunction, selfByStage };
}

/**
 * Markdown rows: stage, share of busy samples, and µs per span when `mainUsPerSpan` (the main thread's CPU time per
 * span, from /proc) is known. The shares are applied to the CPU time rather than to sampled time: on a shared machine
 * a sample's interval also counts time the thread waited for a core.
 */
export function stageTable(summary: ProfileSummary, mainUsPerSpan?: number): string {
  const lines = ['| stage | share of main-thread busy samples | µs per span |', '|---|---:|---:|'];
  for (const stage of STAGES) {
    const us = summary.byStage.get(stage) ?? 0;
    if (us === 0) continue;
    const share = us / summary.busyUs;
    lines.push(`| ${stage} | ${(100 * share).toFixed(1)} % | ${mainUsPerSpan === undefined ? '-' : (share * mainUsPerSpan).toFixed(2)} |`);
  }
  lines.push(`| **main thread** | 100 % | ${mainUsPerSpan === undefined ? '-' : mainUsPerSpan.toFixed(2)} |`);
  return lines.join('\n');
}

export function topFunctions(summary: ProfileSummary, count: number): string {
  const rows = [...summary.selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, count);
  const lines = ['| self % of busy | function |', '|---:|---|'];
  for (const [name, us] of rows) lines.push(`| ${((100 * us) / summary.busyUs).toFixed(1)} | \`${name}\` |`);
  return lines.join('\n');
}

/** Per stage, its `count` functions with the most self time (share of all busy time). */
export function stageFunctions(summary: ProfileSummary, count: number): string {
  const lines: string[] = [];
  for (const stage of STAGES) {
    const functions = summary.selfByStage.get(stage);
    if (functions === undefined) continue;
    const rows = [...functions].sort((a, b) => b[1] - a[1]).slice(0, count);
    lines.push(`${stage}: ${rows.map(([name, us]) => `${name.split(' ')[0]} ${((100 * us) / summary.busyUs).toFixed(1)}`).join(', ')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'us-per-span': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '25' } },
  });
  const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
  const summary = summariseProfile(profile, values.from ? Number(values.from) : -Infinity, values.to ? Number(values.to) : Infinity);
  console.log(`busy ${(summary.busyUs / 1e6).toFixed(2)} s, idle ${(summary.idleUs / 1e6).toFixed(2)} s\n`);
  console.log(stageTable(summary, values['us-per-span'] ? Number(values['us-per-span']) : undefined));
  console.log();
  console.log(topFunctions(summary, Number(values.top)));
  console.log();
  console.log(stageFunctions(summary, 8));
}
