// Completion scripts: generated from a small table and from the real one, then run in real shells — bash always
// (`_firewatch` driven through COMP_WORDS/COMP_CWORD as readline would), zsh when it is installed (through a
// pseudo-terminal, as a user's <TAB> would). A fake `firewatch` on PATH stands in for the daemon's listings.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GLOBAL_FLAGS, parseArgs, UsageError, type CommandSpec, type FlagSpec } from './args.js';
import { COMMANDS } from './cli.js';
import { completionScript, type Shell } from './completion.js';

// `completion` completes its own SHELL; it is added here until cli.ts lists it, and then this adds nothing.
const TABLE: readonly CommandSpec[] = COMMANDS;
const completionCommand = COMMANDS.find((c) => c.path[0] === 'completion')!;
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

const run = async () => 0;
const FAKE_TABLE: readonly CommandSpec[] = [
  {
    path: ['alpha', 'one'],
    summary: "First: it's [one] of two",
    positionals: [{ name: 'incident_id', required: true, description: 'an incident' }],
    flags: [
      { name: 'color', kind: 'list', choices: ['red', 'green', 'blue'], description: 'colours: any of them' },
      { name: 'out', kind: 'string', placeholder: 'FILE', description: 'where to write' },
      { name: 'dry-run', kind: 'boolean', description: 'do nothing' },
    ],
    examples: ['firewatch alpha one x'],
    run,
  },
  { path: ['alpha', 'two'], summary: 'Second.', positionals: [], flags: [], examples: [], run },
  {
    path: ['beta'],
    summary: 'Beta.',
    positionals: [{ name: 'names...', required: false, description: 'any number' }],
    flags: [{ name: 'level', kind: 'string', choices: ['1', '2'], description: 'level' }],
    examples: [],
    run,
  },
];
const FAKE_GLOBALS: readonly FlagSpec[] = [
  { name: 'config', kind: 'string', placeholder: 'FILE', description: 'config' },
  { name: 'help', kind: 'boolean', description: 'help' },
];

let dir: string; // with a space in it, as users' home directories sometimes have
const scripts = new Map<string, string>();

/** The generated script, written once to a file the shells can source. */
function scriptFile(shell: Shell, table: readonly CommandSpec[], globals: readonly FlagSpec[] = GLOBAL_FLAGS): string {
  const text = completionScript(shell, table, globals);
  let file = scripts.get(text);
  if (!file) {
    file = join(dir, `completion ${scripts.size}.${shell}`);
    writeFileSync(file, text);
    scripts.set(text, file);
  }
  return file;
}

interface Env {
  cwd?: string;
  path?: string;
}

// Sources the script under `set -u` and calls _firewatch as bash's programmable completion would: the last word
// is the one being completed (COMP_CWORD), the cursor at the end of the line.
const BASH_DRIVER = `set -u
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}
_firewatch
for reply in \${COMPREPLY[@]+"\${COMPREPLY[@]}"}; do printf '%s\\n' "$reply"; done`;

// By absolute path, so that a test can run it with a PATH that has no firewatch (nor anything else) on it.
const BASH = spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();

function bashComplete(script: string, words: readonly string[], env: Env = {}): string[] {
  const result = spawnSync(BASH, ['--norc', '--noprofile', '-c', BASH_DRIVER, 'bash', script, 'firewatch', ...words], {
    encoding: 'utf8',
    cwd: env.cwd ?? dir,
    env: { ...process.env, PATH: env.path ?? process.env.PATH, FW_LOG: join(dir, 'fake firewatch.log') },
    timeout: 10_000,
  });
  expect(result.stderr, `completing ${JSON.stringify(words)}`).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.split('\n').filter((line) => line !== '');
}

const hasZsh = spawnSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).status === 0;

// Types LINE<TAB> into an interactive zsh in a pseudo-terminal (zsh/zpty) with the script loaded the way a user
// loads it, and prints every match zsh would offer: compadd is wrapped to echo its matches as <<match>>. After the
// TAB it kills the line and prints a marker, so reading stops once the completion is over, without timing guesses.
const ZSH_DRIVER = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=''; bindkey -e; unsetopt zle_bracketed_paste auto_list; setopt no_beep"
if [[ $2 == fpath ]]; then
  zpty -w z "fpath=(\${(q)1} \\$fpath); autoload -Uz compinit; compinit -u -D"
else
  zpty -w z "autoload -Uz compinit; compinit -u -D; source \${(q)1}"
fi
zpty -w z 'compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a __hits; local __h
  builtin compadd -A __hits "$@"
  for __h in $__hits; do print -r -- "<<$__h>>"; done
  builtin compadd "$@"
}'
zpty -w z 'fw-tab() { zle complete-word; print -r -- Z""TABBED }; zle -N fw-tab; bindkey "^I" fw-tab'
zpty -w z "print Z''READY"
zpty -r z out '*ZREADY*'
zpty -w -n z "$3"$'\\t'
zpty -r z tabbed '*ZTABBED*'
zpty -w z $'\\C-e\\C-uprint Z\\'\\'DONE'
zpty -r z out '*ZDONE*'
print -r -- "$tabbed$out"
zpty -d z
`;

function zshComplete(scriptDir: string, mode: 'source' | 'fpath', scriptPath: string, line: string, env: Env = {}): string[] {
  const result = spawnSync('zsh', ['-f', '-c', ZSH_DRIVER, 'zsh', mode === 'fpath' ? scriptDir : scriptPath, mode, line], {
    encoding: 'utf8',
    cwd: env.cwd ?? dir,
    env: { ...process.env, PATH: env.path ?? process.env.PATH, FW_LOG: join(dir, 'fake firewatch.log'), TERM: 'dumb' },
    timeout: 20_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return [...new Set([...result.stdout.matchAll(/<<([^<>\r\n]*)>>/g)].map((m) => m[1]!))].sort();
}

// A `firewatch` standing in for the real one: the listings the scripts call, in CSV as the CLI prints them, with
// an id no shell should run; its arguments logged one per line. Anything else fails, as with no daemon.
const FAKE_FIREWATCH = `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >> "$FW_LOG"
case "$*" in
  "incidents list --format csv --limit 50"*)
    printf 'incident_id,incident_type,title\\ninc_00001,error_burst,"a, b"\\ninc_00002,service_down,x\\n$(touch pwned),x,y\\n' ;;
  "incidents rules list --format csv"*) printf 'rule_id,name\\nerror_burst,Error burst\\nlatency_spike,Latency\\n' ;;
  *) echo "firewatch: cannot connect" >&2; exit 1 ;;
esac
`;

let fakePath: string;
let failingPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'firewatch completion '));
  const bin = join(dir, 'fake bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'firewatch'), FAKE_FIREWATCH);
  chmodSync(join(bin, 'firewatch'), 0o755);
  fakePath = `${bin}:${process.env.PATH}`;
  const failing = join(dir, 'failing bin');
  mkdirSync(failing);
  writeFileSync(join(failing, 'firewatch'), '#!/bin/sh\necho "firewatch: no daemon" >&2\nexit 1\n');
  chmodSync(join(failing, 'firewatch'), 0o755);
  failingPath = `${failing}:${process.env.PATH}`;
  writeFileSync(join(dir, 'my config.yaml'), '');
  mkdirSync(join(dir, 'sub dir'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fakeLog = () => {
  try {
    return readFileSync(join(dir, 'fake firewatch.log'), 'utf8');
  } catch {
    return '';
  }
};
const clearFakeLog = () => rmSync(join(dir, 'fake firewatch.log'), { force: true });

describe('completionScript from a small table', () => {
  it('bash: registers _firewatch and writes every command word, flag and choice from the table', () => {
    const script = completionScript('bash', FAKE_TABLE, FAKE_GLOBALS);
    expect(script).toContain('complete -F _firewatch firewatch');
    expect(script).toContain(`'') _fw_children='alpha beta'`);
    expect(script).toContain(`'alpha') _fw_children='one two'`);
    expect(script).toContain(`_fw_flags='--color --out --dry-run --config --help'`);
    expect(script).toContain(`'alpha one --color') _fw_takes=1 _fw_values='list:red green blue'`);
    // Without an `incidents list` in the table there is nothing to list incident ids with.
    expect(script).not.toContain('incidents list');
  });

  it('zsh: a #compdef function with the summaries as descriptions, usable from fpath and with source', () => {
    const script = completionScript('zsh', FAKE_TABLE, FAKE_GLOBALS);
    expect(script.startsWith('#compdef firewatch\n')).toBe(true);
    expect(script).toContain(`'one:First: it'\\''s [one] of two'`);
    expect(script).toContain(`'alpha:one, two'`); // a group: the words under it
    expect(script).toContain(`'*--color=[colours: any of them]:color:_values -s , color red green blue'`);
    expect(script).toContain(`'--out=[where to write]:FILE:_files'`);
    expect(script).toContain(`'*:names: '`);
    expect(script).toContain('compdef _firewatch firewatch');
  });

  it.each([
    ['a choice', { name: 'x', kind: 'string', choices: ['a b'], description: '' }, /choice of --x "a b" of command "bad"/],
    ['a flag name', { name: 'x$(id)', kind: 'boolean', description: '' }, /flag name "x\$\(id\)"/],
  ] as const)('refuses %s that is not a plain word, naming it', (_what, flag, message) => {
    const bad: CommandSpec = { path: ['bad'], summary: 'Bad.', positionals: [], flags: [flag], examples: [], run };
    expect(() => completionScript('bash', [bad], [])).toThrow(message);
    expect(() => completionScript('zsh', [bad], [])).toThrow(message);
  });

  it('bash: completes a new table without edits, in a real bash', () => {
    const script = scriptFile('bash', FAKE_TABLE, FAKE_GLOBALS);
    expect(bashComplete(script, [''])).toEqual(['alpha', 'beta']);
    expect(bashComplete(script, ['alpha', ''])).toEqual(['one', 'two']);
    expect(bashComplete(script, ['alpha', 'one', '--'])).toEqual(['--color', '--out', '--dry-run', '--config', '--help']);
    expect(bashComplete(script, ['alpha', 'one', '--color', 'red,g'])).toEqual(['red,green']);
    expect(bashComplete(script, ['alpha', 'one', '--dry-run', '--color', 'b'])).toEqual(['blue']);
    expect(bashComplete(script, ['beta', '--level', ''])).toEqual(['1', '2']);
    // A boolean flag takes no value: the next word is a positional again.
    expect(bashComplete(script, ['alpha', 'one', '--dry-run', ''], { path: fakePath })).toEqual([]);
  });
});

describe('completionScript from the real command table', () => {
  const script = () => scriptFile('bash', TABLE);
  const complete = (...words: string[]) => bashComplete(script(), words);

  it('parses in bash -n', () => {
    const result = spawnSync('bash', ['-n', script()], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('completes command words at each depth', () => {
    expect(complete('inc')).toEqual(['incidents']);
    expect(complete('')).toEqual([...new Set(TABLE.map((c) => c.path[0]!))]);
    expect(complete('incidents', '')).toEqual(expect.arrayContaining(['list', 'get', 'create', 'mitigate', 'rules']));
    expect(complete('incidents', 'rules', '')).toEqual(expect.arrayContaining(['list', 'show']));
    expect(complete('completion', '')).toEqual(['bash', 'zsh']);
  });

  it('completes flags, and flag values from their choices', () => {
    expect(complete('incidents', 'list', '--sev')).toEqual(['--severity']);
    expect(complete('incidents', 'list', '--severity', '')).toEqual(SEVERITIES);
    expect(complete('incidents', 'list', '--format', '')).toEqual(['table', 'json', 'csv']);
    expect(complete('incidents', 'list', '--severity', 'high,cr')).toEqual(['high,critical']);
    expect(complete('incidents', 'list', '--status', 'active,', '--severity', 'c')).toEqual(['critical']);
    // "--flag=value": one word, or split at the '=' (bash's default COMP_WORDBREAKS).
    expect(complete('incidents', 'list', '--severity=cr')).toEqual(['--severity=critical']);
    expect(complete('incidents', 'list', '--severity', '=', 'cr')).toEqual(['critical']);
    expect(complete('incidents', 'list', '--severity', '=')).toEqual(SEVERITIES);
    expect(complete('incidents', 'list', '--format=json', '--li')).toEqual(['--limit']);
    // Flags of the matched command only, plus the global ones; a value-less flag offers nothing.
    expect(complete('incidents', 'rules', 'list', '--')).toEqual(['--enabled', '--format', '--config', '--socket', '--connect', '--token', '--ca', '--help']);
    expect(complete('incidents', 'list', '--limit', '')).toEqual([]);
    expect(complete('incidents', 'list', '--', '--')).toEqual([]);
  });

  it('completes file names, spaces and all, for FILE and PATH placeholders', () => {
    expect(complete('--config', 'my')).toEqual(['my config.yaml']);
    expect(complete('incidents', 'list', '--socket', 'sub')).toEqual(['sub dir']);
    expect(complete('incidents', 'list', '--config', '"my c')).toEqual(['my config.yaml']);
    expect(complete('incidents', 'list', '--config', 'my\\ c')).toEqual(['my config.yaml']);
  });

  it.each(TABLE.map((c) => [c.path.join(' '), c] as const))('completes `%s`: its words, every flag and every choice', (_path, command) => {
    const words = [...command.path];
    const last = words.pop()!;
    expect(complete(...words, last.slice(0, 1))).toContain(last);
    const own = command.flags.filter((f) => !GLOBAL_FLAGS.some((g) => g.name === f.name));
    expect(complete(...command.path, '--')).toEqual([...own, ...GLOBAL_FLAGS].map((f) => `--${f.name}`));
    for (const flag of own) {
      if (flag.choices) expect(complete(...command.path, `--${flag.name}`, ''), `--${flag.name}`).toEqual([...flag.choices]);
    }
  });

  it('completes incident and rule ids from the CLI itself, passing on --socket, and takes them literally', () => {
    clearFakeLog();
    const env = { path: fakePath };
    expect(bashComplete(script(), ['incidents', 'get', ''], env)).toEqual(['inc_00001', 'inc_00002', '$(touch pwned)']);
    expect(bashComplete(script(), ['incidents', 'mitigate', 'inc_00002'], env)).toEqual(['inc_00002']);
    expect(bashComplete(script(), ['incidents', 'rules', 'show', 'lat'], env)).toEqual(['latency_spike']);
    expect(bashComplete(script(), ['incidents', 'get', '--socket', '/tmp/my\\ sock', '--timeline', ''], env)).toHaveLength(3);
    expect(bashComplete(script(), ['incidents', 'get', 'inc_00001', '--f'], env)).toEqual(['--full', '--format']);
    expect(fakeLog().split('\n')).toEqual([
      ...['incidents', 'list', '--format', 'csv', '--limit', '50'],
      ...['incidents', 'list', '--format', 'csv', '--limit', '50'],
      ...['incidents', 'rules', 'list', '--format', 'csv'],
      ...['incidents', 'list', '--format', 'csv', '--limit', '50', '--socket', '/tmp/my sock'],
      '',
    ]);
    expect(spawnSync('ls', [join(dir, 'pwned')]).status).not.toBe(0);
  });

  it('completes nothing, silently, when the CLI fails (no daemon) or is not on PATH', () => {
    expect(bashComplete(script(), ['incidents', 'get', ''], { path: failingPath })).toEqual([]);
    expect(bashComplete(script(), ['incidents', 'get', ''], { path: join(dir, 'sub dir') })).toEqual([]);
  });
});

// The zsh script is only run where zsh is installed: .ci/run installs it (Debian), a bare machine may lack it; the
// bash cases above always run. Without zsh this group reports as skipped, under its own name.
describe.skipIf(!hasZsh)('zsh (installed here)', () => {
  const script = () => scriptFile('zsh', TABLE);

  it('parses in zsh -n', () => {
    const result = spawnSync('zsh', ['-n', script()], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const incidentWords = [...new Set(TABLE.filter((c) => c.path[0] === 'incidents' && c.path.length > 1).map((c) => c.path[1]!))].sort();
  it.each([
    ['firewatch inc', ['incidents']],
    ['firewatch incidents ', incidentWords],
    ['firewatch incidents list --sev', ['--severity']],
    ['firewatch incidents list --severity ', [...SEVERITIES].sort()],
    ['firewatch incidents list --severity high,cr', ['critical']],
    ['firewatch incidents list --format=', ['csv', 'json', 'table']],
    ['firewatch completion ', ['bash', 'zsh']],
    ['firewatch --config my', ['my\\ config.yaml']],
    ['firewatch incidents rules show ', ['error_burst', 'latency_spike']],
  ])('completes `%s<TAB>` after `source <(firewatch completion zsh)`', (line, expected) => {
    expect(zshComplete(dir, 'source', script(), line, { path: fakePath })).toEqual(expected);
  });

  it('completes incident ids from the CLI itself, passing on --socket, and quotes them', () => {
    clearFakeLog();
    expect(zshComplete(dir, 'source', script(), 'firewatch incidents get --socket /tmp/my\\ sock ', { path: fakePath })).toEqual([
      '\\$\\(touch\\ pwned\\)',
      'inc_00001',
      'inc_00002',
    ]);
    expect(fakeLog()).toBe(['incidents', 'list', '--format', 'csv', '--limit', '50', '--socket', '/tmp/my sock', ''].join('\n'));
  });

  it('completes when autoloaded from $fpath as _firewatch', () => {
    const fpathDir = join(dir, 'zsh functions');
    mkdirSync(fpathDir, { recursive: true });
    writeFileSync(join(fpathDir, '_firewatch'), completionScript('zsh', TABLE, GLOBAL_FLAGS));
    expect(zshComplete(fpathDir, 'fpath', '', 'firewatch incidents rules ')).toEqual(expect.arrayContaining(['list', 'show']));
    expect(zshComplete(fpathDir, 'fpath', '', 'firewatch incidents get ', { path: failingPath })).toEqual([]);
  });
});

describe('firewatch completion SHELL', () => {
  it('prints the script for the real table, and refuses another shell with a usage error', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await completionCommand.run(parseArgs(completionCommand, ['BASH']))).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe(completionScript('bash', COMMANDS, GLOBAL_FLAGS));
    await expect(completionCommand.run(parseArgs(completionCommand, ['fish']))).rejects.toThrow(UsageError);
    await expect(completionCommand.run(parseArgs(completionCommand, ['fish']))).rejects.toThrow(/SHELL must be one of bash, zsh; got "fish"/);
    expect(() => parseArgs(completionCommand, [])).toThrow(/missing SHELL/);
  });
});
