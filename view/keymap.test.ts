import { describe, expect, it } from 'vitest';
import { COMMANDS, KEYMAP, SCREENS, appliesOn, commandFor, commandsOn, footerHints, keyTableMarkdown } from './keymap.js';

describe('key map', () => {
  it('binds no key to two commands on the same screen', () => {
    for (const screen of SCREENS) {
      const seen = new Map<string, string>();
      for (const command of COMMANDS) {
        if (!appliesOn(KEYMAP[command], screen)) continue;
        for (const key of KEYMAP[command].keys) {
          expect(seen.get(key), `${key} on ${screen}: ${seen.get(key)} and ${command}`).toBeUndefined();
          seen.set(key, command);
        }
      }
    }
  });

  it('has DESIGN.md’s keys', () => {
    const keysOf = (command: (typeof COMMANDS)[number]) => KEYMAP[command].keys;
    expect(keysOf('overview')).toEqual(['1']);
    expect(keysOf('down')).toEqual(expect.arrayContaining(['j', 'down']));
    expect(keysOf('up')).toEqual(expect.arrayContaining(['k', 'up']));
    expect(keysOf('bottom')).toContain('G');
    expect(keysOf('open')).toEqual(['enter']);
    expect(keysOf('back')).toEqual(['escape']);
    expect(keysOf('command')).toEqual([':']);
    expect(keysOf('filter')).toEqual(['/']);
    for (const [command, key] of [['trace', 't'], ['acknowledge', 'a'], ['assign', 's'], ['mitigate', 'm'], ['resolve', 'r'], ['close', 'c'], ['export', 'e'], ['help', '?']] as const) {
      expect(keysOf(command)).toEqual([key]);
    }
    expect(keysOf('quit')).toEqual(['q', 'ctrl-c']);
  });

  it('drops every mutating command with --read-only, from dispatch, the footer and the help', () => {
    expect(commandFor('a', 'incident', { readOnly: false })).toBe('acknowledge');
    expect(commandFor('a', 'incident', { readOnly: true })).toBeUndefined();
    expect(commandFor('space', 'rules', { readOnly: true })).toBeUndefined();
    expect(commandFor('space', 'trace', { readOnly: true })).toBe('toggle');
    const readOnly = commandsOn('incident', { readOnly: true });
    for (const command of ['acknowledge', 'assign', 'mitigate', 'resolve', 'close'] as const) expect(readOnly).not.toContain(command);
    expect(footerHints('incident', { readOnly: true }).map((h) => h.hint)).not.toContain('ack');
  });

  it('writes the README’s key table from the map', () => {
    const table = keyTableMarkdown();
    expect(table.split('\n')).toHaveLength(COMMANDS.length + 2);
    expect(table).toContain('| `a` | Acknowledge the incident (not with --read-only) |');
  });
});
