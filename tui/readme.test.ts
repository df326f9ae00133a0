// The README's key table is the key map (view/keymap.ts) written out: a test, so the two cannot drift.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyTableMarkdown } from '../view/keymap.js';

const README = new URL('../README.md', import.meta.url);

describe('README', () => {
  it('lists the keys exactly as the key map has them', () => {
    const text = readFileSync(README, 'utf8');
    const table = /<!-- tui-keys:start -->\n([\s\S]*?)\n<!-- tui-keys:end -->/.exec(text)?.[1];
    expect(table, 'README.md has a key table between <!-- tui-keys:start --> and <!-- tui-keys:end -->').toBeDefined();
    expect(table).toBe(keyTableMarkdown());
  });
});
