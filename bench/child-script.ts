// What the end-to-end benchmarks share about their child processes: running another bench script (a load
// generator) in its own process and reading back the one JSON line it prints, and reading a process's CPU time and
// memory from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

const CLOCK_TICKS_PER_SECOND = 100; // _SC_CLK_TCK on Linux
const BYTES_PER_KIB = 1024;

/** Children still running, so an interrupted benchmark can stop them. */
export const runningScripts = new Set<ChildProcess>();

/** Runs `dist/bench/<script>` in its own process; resolves with the JSON line it prints. */
export function runScript<T>(script: string, args: string[]): { child: ChildProcess; result: Promise<T> } {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  runningScripts.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const result = new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      runningScripts.delete(child);
      if (code === 0) resolve(JSON.parse(output) as T);
      else reject(new Error(`${script} exited with ${code}`));
    }),
  );
  return { child, result };
}

/** User + system CPU seconds used by `pid` so far. */
export function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (after the parenthesised command name).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Memory of a process from /proc/<pid>/status, in bytes (Linux reports kB = KiB). */
export interface ProcessMemory {
  /** Peak resident set size over the process's life (VmHWM). */
  peakRss: number;
  rss: number;
  /** Anonymous pages: heap, buffers, native allocations — what the process really holds. */
  rssAnon: number;
  /** File-backed pages: mostly the LMDB map, which grows with the store and the kernel may reclaim. */
  rssFile: number;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * BYTES_PER_KIB : Number.NaN;
  };
  return { peakRss: field('VmHWM'), rss: field('VmRSS'), rssAnon: field('RssAnon'), rssFile: field('RssFile') };
}

/** Samples `pid`'s memory every `intervalMs`, keeping the peaks of anonymous and file-backed pages. */
export function watchMemory(pid: number, intervalMs = 100): { peak(): ProcessMemory; stop(): ProcessMemory } {
  let peak = processMemory(pid);
  const sample = (): ProcessMemory => {
    const now = processMemory(pid);
    peak = {
      peakRss: Math.max(peak.peakRss, now.peakRss),
      rss: Math.max(peak.rss, now.rss),
      rssAnon: Math.max(peak.rssAnon, now.rssAnon),
      rssFile: Math.max(peak.rssFile, now.rssFile),
    };
    return now;
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      clearInterval(timer); // the process is gone
    }
  }, intervalMs);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      try {
        sample();
      } catch {
        // gone: keep the last peaks
      }
      return peak;
    },
  };
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / (BYTES_PER_KIB * BYTES_PER_KIB)).toFixed(0) : '-';
}
