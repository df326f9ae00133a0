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

  it('binds the silence and notification keys to their screens only, and drops them with --read-only', () => {
    expect(commandFor('5', 'incident', { readOnly: true })).toBe('silences');
    expect(commandFor('6', 'trace', { readOnly: true })).toBe('notifications');
    expect(commandFor('n', 'silences', { readOnly: false })).toBe('new_silence');
    expect(commandFor('x', 'silences', { readOnly: false })).toBe('expire');
    expect(commandFor('r', 'notifications', { readOnly: false })).toBe('retry');
    expect(commandFor('r', 'incident', { readOnly: false })).toBe('resolve');
    expect(commandFor('R', 'notifications', { readOnly: false })).toBe('retry_all');
    expect(commandFor('d', 'notifications', { readOnly: false })).toBe('drop');
    expect(commandFor('d', 'incidents', { readOnly: false })).toBeUndefined();
    for (const [key, screen] of [['n', 'silences'], ['x', 'silences'], ['r', 'notifications'], ['R', 'notifications'], ['d', 'notifications']] as const) {
      expect(commandFor(key, screen, { readOnly: true })).toBeUndefined();
    }
    expect(commandsOn('notifications', { readOnly: true })).toEqual(['overview', 'incidents', 'components', 'rules', 'silences', 'notifications', 'down', 'up', 'top', 'bottom', 'page_up', 'page_down', 'back', 'help', 'suspend', 'quit']);
  });

  it('writes the README’s key table from the map', () => {
    const table = keyTableMarkdown();
    expect(table.split('\n')).toHaveLength(COMMANDS.length + 2);
    expect(table).toContain('| `a` | Acknowledge the incident (not with --read-only) |');
  });
});
