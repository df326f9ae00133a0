import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, UsageError, type CommandSpec } from './args.js';

const command: CommandSpec = {
  path: ['incidents', 'list'],
  summary: 'List incidents.',
  positionals: [{ name: 'incident_id', required: false, description: 'an id' }],
  flags: [
    { name: 'status', kind: 'list', choices: ['active', 'resolved'], description: 'status' },
    { name: 'limit', kind: 'number', description: 'limit' },
    { name: 'timeline', kind: 'boolean', description: 'timeline' },
    { name: 'format', kind: 'string', choices: ['table', 'json'], description: 'format' },
  ],
  examples: ['firewatch incidents list --limit 5'],
  run: async () => 0,
};

describe('parseArgs', () => {
  it('reads flags in both spellings, lists, booleans and any-case choices', () => {
    const parsed = parseArgs(command, ['inc_1', '--status', 'ACTIVE,resolved', '--limit=5', '--timeline', '--format', 'JSON']);
    expect(parsed).toEqual({
      positionals: ['inc_1'],
      flags: { status: ['active', 'resolved'], limit: 5, timeline: true, format: 'json' },
    });
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown flag', ['--nope'], /unknown flag --nope/],
    ['missing value', ['--limit'], /--limit needs a value/],
    ['bad number', ['--limit', 'ten'], /non-negative number/],
    ['bad choice', ['--format', 'xml'], /--format must be one of table, json/],
    ['extra positional', ['a', 'b'], /unexpected argument "b"/],
    ['boolean with value', ['--timeline=yes'], /takes no value/],
  ];
  it.each(bad)('refuses %s with a UsageError', (_name, argv, message) => {
    expect(() => parseArgs(command, argv)).toThrow(UsageError);
    expect(() => parseArgs(command, argv)).toThrow(message);
  });

  it('accepts --help without the required arguments', () => {
    const strict: CommandSpec = { ...command, positionals: [{ name: 'id', required: true, description: 'an id' }] };
    expect(parseArgs(strict, ['--help']).flags.help).toBe(true);
    expect(() => parseArgs(strict, [])).toThrow(/missing ID/);
  });

  it('prints help with usage, flags and an example', () => {
    const help = helpText(command);
    expect(help).toContain('usage: firewatch incidents list [INCIDENT_ID] [flags]');
    expect(help).toContain('--status');
    expect(help).toContain('firewatch incidents list --limit 5');
  });
});
