import { describe, expect, it } from 'vitest';
import { KeyTable } from './key-table.js';

describe('KeyTable', () => {
  const table = new KeyTable(['system.memory.utilization', 'system.memory.usage', 'a', 'é.x', 'a']);
  const match = (text: string) => {
    const bytes = Buffer.concat([Buffer.from('__'), Buffer.from(text), Buffer.from('__')]);
    return table.match(bytes, 2, bytes.length - 4);
  };

  it('finds names by their bytes, at any offset, duplicates keeping their first id', () => {
    expect(match('system.memory.utilization')).toBe(0);
    expect(match('system.memory.usage')).toBe(1);
    expect(match('a')).toBe(2);
    expect(match('é.x')).toBe(3);
  });

  it('rejects near misses, other lengths and the empty name', () => {
    expect(match('system.memory.utilizatioN')).toBe(-1);
    expect(match('System.memory.utilization')).toBe(-1);
    expect(match('b')).toBe(-1);
    expect(match('')).toBe(-1);
    expect(match('x'.repeat(2000))).toBe(-1);
  });
});
