// The header counts dead letters (notifications nobody received) when there are some, from the daemons' stats: the
// real TUI on a virtual terminal, fed by the fixture daemon.

import { describe, expect, it } from 'vitest';
import { cascadeFixture } from '../test/fixtures/tui-fixtures.js';
import { startTui } from '../test/helpers/tui-session.js';

describe('dead letters in the header', () => {
  it('shows the count when there are dead letters, and nothing when there are none', async () => {
    const data = cascadeFixture();
    data.stats = { ...data.stats, dead_letters: 3 };
    const session = await startTui({ columns: 120, rows: 40, data });
    try {
      await session.settle();
      expect(session.screen().split('\n')[0]).toMatch(/approvals \d+ . dead letters 3/);
    } finally {
      await session.quit();
    }
    const quiet = await startTui({ columns: 120, rows: 40 });
    try {
      await quiet.settle();
      expect(quiet.screen().split('\n')[0]).not.toContain('dead letters');
    } finally {
      await quiet.quit();
    }
  });

  it('keeps the connection state whole at 80 columns: the counts take their short words instead', async () => {
    const data = cascadeFixture();
    data.stats = { ...data.stats, dead_letters: 2 };
    const session = await startTui({ columns: 80, rows: 24, data });
    try {
      await session.settle();
      await session.press('6');
      const header = session.screen().split('\n')[0]!;
      expect(header).toContain('Notifications');
      expect(header).toMatch(/appr \d+ . dead 2 +. live\s*$/);
    } finally {
      await session.quit();
    }
  });
});
