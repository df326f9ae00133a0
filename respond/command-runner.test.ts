import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../engine/types.js';
import { MAX_OUTPUT_BYTES, commandEnv, runCommand } from './command-runner.js';
import { incidentEnv, incidentValues, substituteArgv } from './placeholders.js';
import { testIncident } from '../test/helpers/respond-fixtures.js';

let dir: string;

/** Writes an executable `#!/bin/sh` script into the temp dir. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** The process is gone, or a zombie waiting for a PID 1 that does not reap (it no longer runs). */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'firewatch-cmd-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('runCommand', () => {
  it('hostile incident text reaches the command as exactly one argv element per placeholder and as exact env values', async () => {
    // prepare: a script that writes its arguments and the FIREWATCH_* variables NUL-separated (NUL cannot occur in
    // them), in a directory where a `pwned` file would show that something was evaluated.
    const work = mkdtempSync(join(dir, 'prop-'));
    const out = join(work, 'out');
    const recorder = script(
      'record.sh',
      `out="$1"; shift
printf '%s\\0' "$@" > "$out.argv"
printf '%s\\0' "$FIREWATCH_INCIDENT_ID" "$FIREWATCH_INCIDENT_TYPE" "$FIREWATCH_SEVERITY" "$FIREWATCH_TITLE" "$FIREWATCH_PRIMARY_SOURCE" "$FIREWATCH_AFFECTED_COMPONENTS" > "$out.env"`,
    );
    const template = [recorder, out, '--title', '{{title}}', '{{primary_source}}', 'x{{affected_components}}y', '--id={{ incident_id }}', '{{severity}}'];
    const hostile = fc.oneof(
      fc.constantFrom(
        '; rm -rf /',
        '$(touch pwned)',
        '`touch pwned`',
        "'; touch pwned; '",
        '"; touch pwned; "',
        '&& touch pwned',
        '| touch pwned',
        '\ntouch pwned\n',
        '-rf',
        '--help',
        '$HOME',
        '*',
        '{{title}}',
        'a\u0000b',
        'ünïcødé ✓ 🔥',
        '',
        '\u001b]0;owned\u0007',
      ),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(hostile, hostile, fc.array(hostile, { maxLength: 3 }), async (title, source, components) => {
        // act
        const incident: Incident = testIncident({ title, group_key: 'checkout', affected_components: components });
        incident.root_cause.primary_source = source;
        const values = incidentValues(incident);
        const result = await runCommand({ argv: substituteArgv(template, values), env: incidentEnv(values), timeoutMs: 5000, cwd: work });
        // verify
        expect(result.kind, result.detail).toBe('succeeded');
        const argv = readFileSync(`${out}.argv`, 'utf8').split('\u0000').slice(0, -1);
        const strip = (text: string): string => text.replace(/\u0000/g, '');
        const joined = components.map(strip).join(',');
        const primary = source !== '' ? strip(source) : 'checkout'; // an empty root cause falls back to the group
        expect(argv).toEqual(['--title', strip(title), primary, `x${joined}y`, `--id=${incident.incident_id}`, 'high']);
        const env = readFileSync(`${out}.env`, 'utf8').split('\u0000').slice(0, -1);
        expect(env).toEqual([incident.incident_id, 'error_burst', 'high', strip(title), primary, joined]);
        expect(readdirSync(work).sort()).toEqual(['out.argv', 'out.env']);
      }),
      { numRuns: 60 },
    );
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
  });

  it('gives the command a minimal environment: PATH, HOME, LANG, the action env and FIREWATCH_*', async () => {
    const out = join(dir, 'env.txt');
    const dump = script('env.sh', `env > "${out}"`);
    process.env.FIREWATCH_TEST_DAEMON_SECRET = 'do-not-leak';
    try {
      const result = await runCommand({ argv: [dump], env: { EXTRA: 'value', WITH_NUL: 'a\u0000b' }, timeoutMs: 5000 });
      expect(result.kind).toBe('succeeded');
    } finally {
      delete process.env.FIREWATCH_TEST_DAEMON_SECRET;
    }
    const names = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf('=')));
    expect(names).not.toContain('FIREWATCH_TEST_DAEMON_SECRET');
    expect(readFileSync(out, 'utf8')).toContain('EXTRA=value\n');
    expect(readFileSync(out, 'utf8')).toContain('WITH_NUL=ab\n');
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'EXTRA', 'WITH_NUL', 'PWD', 'SHLVL', 'OLDPWD', '_']);
    expect(names.filter((name) => !allowed.has(name))).toEqual([]);
    expect(Object.keys(commandEnv({}, { PATH: '/bin', SECRET: 'x', LANG: 'C' }))).toEqual(['PATH', 'LANG']);
  });

  it('reports a non-zero exit with the tail of stderr, sanitised', async () => {
    const fail = script('fail.sh', `echo "progress" ; printf 'bad \\033[31mthing\\007 happened\\n' >&2; exit 3`);
    const result = await runCommand({ argv: [fail], env: {}, timeoutMs: 5000 });
    expect(result).toMatchObject({ kind: 'failed', exit_code: 3, signal: null, error: null });
    expect(result.stderr).toBe('bad thing happened\n');
    expect(result.detail).toMatch(/^exit 3 in \d+ ms; stderr: bad thing happened; stdout: progress$/);
  });

  it('reports a program that does not exist', async () => {
    const result = await runCommand({ argv: [join(dir, 'nope.sh'), '--x'], env: {}, timeoutMs: 5000 });
    expect(result.kind).toBe('failed');
    expect(result.kind === 'failed' && result.error).toBe('ENOENT');
    expect(result.detail).toMatch(/could not start .*nope\.sh: ENOENT/);
  });

  it('bounds output to the last 4 KiB of each stream and says so', async () => {
    const loud = script('loud.sh', `i=0; while [ $i -lt 2000 ]; do echo "line $i ................................................"; i=$((i+1)); done; echo end >&2`);
    const result = await runCommand({ argv: [loud], env: {}, timeoutMs: 5000 });
    expect(result.kind).toBe('succeeded');
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(result.stdout_truncated).toBe(true);
    expect(result.stdout.endsWith('line 1999 ................................................\n')).toBe(true);
    expect(result.stderr_truncated).toBe(false);
    expect(result.detail).toMatch(/stdout \(last 4096 of \d+ bytes\): …/);
    expect(result.detail.length).toBeLessThan(500);
  });

  it('on timeout kills the process group: SIGTERM, then SIGKILL for what ignores it', async () => {
    // prepare: the script and its child ignore SIGTERM; the child's pid goes to a file.
    const pidFile = join(dir, 'child.pid');
    const stubborn = script('stubborn.sh', `trap '' TERM\nsleep 30 &\necho $! > "${pidFile}"\necho started\nwait`);
    const t0 = Date.now();
    // act
    const result = await runCommand({ argv: [stubborn], env: {}, timeoutMs: 300, killGraceMs: 200 });
    // verify
    expect(result.kind).toBe('timed_out');
    expect(result.detail).toMatch(/^timed out after 300 ms; killed; stdout: started$/);
    expect(Date.now() - t0).toBeLessThan(2000);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => processGone(childPid))).toBe(true);
  });

  it('a polite process ends at SIGTERM without waiting for the grace', async () => {
    const polite = script('polite.sh', 'sleep 30 & wait');
    const t0 = Date.now();
    const result = await runCommand({ argv: [polite], env: {}, timeoutMs: 200, killGraceMs: 5000 });
    expect(result.kind).toBe('timed_out');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('does not hang when a background grandchild keeps the pipes open', async () => {
    const pidFile = join(dir, 'daemonized.pid');
    const starter = script('starter.sh', `sleep 30 &\necho $! > "${pidFile}"\necho ok`);
    const t0 = Date.now();
    const result = await runCommand({ argv: [starter], env: {}, timeoutMs: 5000 });
    expect(result.kind).toBe('succeeded');
    expect(result.stdout).toBe('ok\n');
    expect(Date.now() - t0).toBeLessThan(1500);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });
});
