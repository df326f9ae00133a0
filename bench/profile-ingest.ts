// Where the daemon's time per span goes, stage by stage: the ingest benchmark's load against one server started
// with `--cpu-prof`, the profile cut to the measured window and summarised by bench/cpu-profile.ts.
//
//   node dist/bench/profile-ingest.js [--server firewatch|ack-only|proto-loader] [--seconds 15]
//        [--spans-per-trace 1] [--concurrency 32] [--keep DIR] [--node-flags '--max-semi-space-size=32']
//
// Prints spans acknowledged, the server's CPU time split into its main thread (the profile's subject) and its other
// threads (LMDB's writer, V8's GC helpers, libuv's pool: not in the profile), µs per span for each, then the stage
// table and the functions with the most self time.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../common/package-root.js';
import { runScript } from './child-script.js';
import { stageFunctions, stageTable, summariseProfile, topFunctions, type CpuProfile } from './cpu-profile.js';
import type { LoadResult } from './load-generator.js';

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds of the process's main thread (tid = pid) and of all its other threads. */
function threadCpu(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    if (Number(tid) === pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'firewatch' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
    'spans-per-trace': { type: 'string', default: '1' },
    'error-ratio': { type: 'string', default: '0.02' },
    keep: { type: 'string' },
    top: { type: 'string', default: '30' },
    /** Extra node flags for the server, e.g. `--max-semi-space-size=32` (space-separated). */
    'node-flags': { type: 'string', default: '' },
  },
});

const root = packageRoot();
const workspace = mkdtempSync(join(tmpdir(), 'firewatch-profile-'));
const profileDir = values.keep ?? join(workspace, 'profile');
mkdirSync(profileDir, { recursive: true });
const config = join(workspace, 'otel-config.yaml');
// Its own metrics port too: the default (127.0.0.1:8888) is taken whenever another daemon runs on the machine.
writeFileSync(
  config,
  `receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:0", max_recv_msg_size_mib: 16 } } } }\nstorage: { directory: ${JSON.stringify(join(workspace, 'data'))} }\nservice: { telemetry: { metrics: { endpoint: "127.0.0.1:0" } } }\n`,
);
const servers: Record<string, { script: string[]; ready: RegExp }> = {
  firewatch: { script: [join(root, 'dist', 'cli', 'main.js'), 'serve', '--config', config], ready: /otlp_grpc=[^\s]+:(\d+)/ },
  'ack-only': { script: [join(root, 'dist', 'bench', 'servers', 'ack-only-server.js')], ready: /ready port=(\d+)/ },
  'proto-loader': { script: [join(root, 'dist', 'bench', 'servers', 'proto-loader-server.js')], ready: /ready port=(\d+)/ },
};
const server = servers[values.server!];
if (server === undefined) throw new Error(`--server must be one of ${Object.keys(servers).join(', ')}`);

// The bench servers have no SIGTERM handler of their own, and a profile is written only on a normal exit.
const exitOnTerm = values.server === 'firewatch' ? [] : ['--import', "data:text/javascript,process.on('SIGTERM',()=>process.exit(0))"];
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...exitOnTerm, ...values['node-flags']!.split(' ').filter(Boolean), ...server.script], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
const exited = new Promise((resolve) => child.once('exit', resolve));
let output = '';
const port = await new Promise<number>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    const match = server.ready.exec(output);
    if (match) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
});
const loadArgs = ['--target', `127.0.0.1:${port}`, '--concurrency', values.concurrency!, '--spans-per-trace', values['spans-per-trace']!, '--error-ratio', values['error-ratio']!];
await runScript<LoadResult>('load-generator.js', [...loadArgs, '--seconds', '2']).result;
const cpuBefore = threadCpu(child.pid!);
const fromUs = Number(process.hrtime.bigint() / 1000n);
const load = await runScript<LoadResult>('load-generator.js', [...loadArgs, '--seconds', values.seconds!]).result;
const toUs = Number(process.hrtime.bigint() / 1000n);
const cpuAfter = threadCpu(child.pid!);
child.kill('SIGTERM');
await exited;

const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written in ${profileDir}`);
const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
const summary = summariseProfile(profile, fromUs, toUs);
const main = cpuAfter.main - cpuBefore.main;
const others = cpuAfter.others - cpuBefore.others;
const perSpan = (seconds: number): string => ((seconds * 1e6) / load.spans).toFixed(2);
console.log(`${values.server}: ${load.spans.toLocaleString('en-US')} spans acknowledged in ${load.seconds.toFixed(1)} s (${load.failed} failed), ${values['spans-per-trace']} span(s) per trace`);
console.log(`server CPU ${(main + others).toFixed(2)} s = ${perSpan(main + others)} µs/span → ${Math.round(load.spans / (main + others)).toLocaleString('en-US')} spans/s per core`);
console.log(`  main thread ${main.toFixed(2)} s (${perSpan(main)} µs/span; profile: busy ${(summary.busyUs / 1e6).toFixed(2)} s, idle ${(summary.idleUs / 1e6).toFixed(2)} s)`);
console.log(`  other threads ${others.toFixed(2)} s (${perSpan(others)} µs/span: LMDB writer, GC helpers, libuv pool)\n`);
console.log(stageTable(summary, (main * 1e6) / load.spans));
console.log();
console.log(topFunctions(summary, Number(values.top)));
console.log();
console.log(stageFunctions(summary, 8));
if (values.keep) console.log(`\nprofile kept: ${join(profileDir, file)}`);
rmSync(workspace, { recursive: true, force: true });
