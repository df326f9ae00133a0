// Telemetry text built to break a layout (escape sequences: OSC 52 clipboard writes, window titles, CSI; bidi
// overrides; wide characters; 10 kB names) on every screen: the layout never moves or widens, and nothing but our own
// sequences reaches the terminal.

import { describe, expect, it } from 'vitest';
import { hostileFixture } from '../test/fixtures/tui-fixtures.js';
import { SCREENS, checkLayout, foreignSequences, visit } from '../test/helpers/tui-screens.js';
import { KEY, startTui } from '../test/helpers/tui-session.js';

describe('hostile telemetry', () => {
  it.each([
    [80, 24],
    [120, 40],
  ])('never breaks the layout at %i×%i, and never reaches the terminal as control sequences', { timeout: 120_000 }, async (columns, rows) => {
    const session = await startTui({ columns, rows, data: hostileFixture() });
    for (const [, keys] of SCREENS) {
      await visit(session, keys);
      checkLayout(session);
      expect(session.screen()).not.toContain('pwned');
    }
    await visit(session, ['2', KEY.enter, 'j'.repeat(40)]); // the 10 kB note, scrolled to
    checkLayout(session);
    await visit(session, ['1', 't', KEY.tab, 'G']); // the first span's attributes (10 kB, escapes, wide), scrolled to
    checkLayout(session);
    expect(session.screen()).not.toContain('pwned');
    if (columns === 80) {
      await visit(session, ['1']);
      await expect(session.screen()).toMatchFileSnapshot('__screens__/hostile-80x24/overview.txt');
      await visit(session, ['1', 't']);
      await expect(session.screen()).toMatchFileSnapshot('__screens__/hostile-80x24/trace.txt');
      await visit(session, ['1', 't', KEY.tab, 'G']);
      await expect(session.screen()).toMatchFileSnapshot('__screens__/hostile-80x24/trace-span-attributes.txt');
    }
    await session.quit();
    expect(foreignSequences(session.terminal.written())).toEqual([]);
  });
});
