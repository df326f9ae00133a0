// Every command's `--help`: a summary, a usage line, at least one example that runs this very command, and a
// description for every flag. Table-driven over the real COMMANDS, so a new command is checked without edits here.

import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS, helpText, parseArgs, usageLine, type CommandSpec } from './args.js';
import { COMMANDS } from './cli.js';

const TABLE: readonly CommandSpec[] = COMMANDS;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The words of a shell command line, up to its first unquoted operator (|, >, <, ;, &, #). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end === -1) throw new Error(`unclosed ${c} in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if ('|<>;&#'.includes(c) && word === undefined) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

describe('the command table', () => {
  it('has no two commands with the same path', () => {
    const paths = TABLE.map((c) => c.path.join(' '));
    expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([]);
  });

  it('has global flags with descriptions and kebab-case names', () => {
    for (const flag of GLOBAL_FLAGS) {
      expect(flag.name).toMatch(KEBAB);
      expect(flag.description.trim()).not.toBe('');
    }
  });
});

describe.each(TABLE.map((c) => [c.path.join(' '), c] as const))('firewatch %s --help', (path, command) => {
  const help = helpText(command);

  it('starts with the summary and has a usage line', () => {
    expect(command.summary.trim()).not.toBe('');
    expect(help.split('\n')[0]).toBe(command.summary);
    expect(usageLine(command).startsWith(`firewatch ${path}`)).toBe(true);
    expect(help).toContain(`usage: ${usageLine(command)}`);
  });

  it('shows at least one example, and every `firewatch …` example runs this command with valid arguments', () => {
    const runnable = command.examples.filter((e) => e.startsWith('firewatch '));
    expect(runnable.length).toBeGreaterThan(0);
    for (const example of runnable) {
      expect(help).toContain(`  ${example}`);
      const words = shellWords(example).slice(1);
      expect(words.slice(0, command.path.length), example).toEqual([...command.path]);
      expect(() => parseArgs(command, words.slice(command.path.length)), example).not.toThrow();
    }
  });

  it('describes every flag and positional; flag names are kebab-case and unique, choices lowercase', () => {
    const names = command.flags.map((f) => f.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    // parseArgs reads the command's flags and then the globals into one map: a clash would silently lose one.
    expect(names.filter((n) => GLOBAL_FLAGS.some((g) => g.name === n))).toEqual([]);
    for (const flag of command.flags) {
      expect(flag.name).toMatch(KEBAB);
      expect(flag.description.trim(), `--${flag.name}`).not.toBe('');
      expect(help).toContain(`--${flag.name}`);
      // parseArgs lowercases what it reads before comparing, so an upper-case choice could never be given.
      for (const choice of flag.choices ?? []) expect(choice, `--${flag.name}`).toBe(choice.toLowerCase());
    }
    for (const positional of command.positionals) expect(positional.description.trim(), positional.name).not.toBe('');
  });
});

describe('shellWords', () => {
  it('splits like a shell, up to the first operator', () => {
    expect(shellWords(`firewatch incidents create --title "Manual Incident" --as 'a b' x\\ y | head`)).toEqual([
      'firewatch', 'incidents', 'create', '--title', 'Manual Incident', '--as', 'a b', 'x y',
    ]);
    expect(shellWords('firewatch completion zsh > "${fpath[1]}/_firewatch"')).toEqual(['firewatch', 'completion', 'zsh']);
    expect(shellWords('firewatch serve   # then')).toEqual(['firewatch', 'serve']);
  });
});
