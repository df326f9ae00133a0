// Every screen, drawn by the real TUI (runTui → Ink → frame writer) on a virtual terminal (@xterm/headless), at the
// sizes an operator has (80×24 over SSH, 120×40, 200×60), compared with reviewed text snapshots in __screens__/.
// Then NO_COLOR writes no colour and --ascii no byte above 0x7F (hostile text: hostile.test.ts).

import { describe, expect, it } from 'vitest';
import { KEY, startTui } from '../test/helpers/tui-session.js';
import { SCREENS, checkLayout, matchScreenSnapshots, visit } from '../test/helpers/tui-screens.js';

// Colour must be on in chalk for the NO_COLOR test to mean anything: chalk decides when first loaded, from the
// environment (a test runner's stdout is no terminal). Ink (and chalk) are loaded by runTui after this line.
process.env.FORCE_COLOR = '3';

describe.each([
  [80, 24],
  [120, 40],
  [200, 60],
])('screens at %i×%i', (columns, rows) => {
  it('match the reviewed snapshots', { timeout: 120_000 }, async () => {
    await matchScreenSnapshots(SCREENS, { columns, rows });
  });
});

describe('terminal variants', () => {
  it('says what size it needs below the minimum, and draws again once enlarged', async () => {
    const session = await startTui({ columns: 50, rows: 12 });
    await expect(session.screen()).toMatchFileSnapshot('__screens__/50x12/too-small.txt');
    session.terminal.resize(80, 24);
    await session.settle();
    expect(session.screen()).toContain('Active incidents (3)');
    await session.quit();
  });

  it('redraws on resize without ghost lines: the screen equals a fresh start at the new size', async () => {
    const session = await startTui({ columns: 120, rows: 40 });
    await session.press('2', KEY.enter);
    session.terminal.resize(80, 24);
    await session.settle();
    const fresh = await startTui({ columns: 80, rows: 24 });
    await fresh.press('2', KEY.enter);
    expect(session.screen()).toBe(fresh.screen());
    session.terminal.resize(100, 30);
    await session.settle();
    checkLayout(session);
    await Promise.all([session.quit(), fresh.quit()]);
  });

  it('NO_COLOR: no colour at all, the selection still shows (marker and inverse video)', async () => {
    const coloured = await startTui();
    expect(coloured.terminal.written()).toMatch(/\u001b\[(3[0-7]|9[0-7]|38;)/); // colour is on in this run
    await coloured.quit();
    const session = await startTui({ env: { TERM: 'xterm-256color', NO_COLOR: '1' } });
    await session.press('2');
    const written = session.terminal.written();
    expect(written).not.toMatch(/\u001b\[[0-9;]*(3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m/);
    expect(written).toContain('\u001b[7m'); // inverse
    expect(session.screen()).toContain('› inc_00123');
    await session.quit();
  });

  it('--ascii: no byte above 0x7F on any screen, and the screens still read', { timeout: 120_000 }, async () => {
    const session = await startTui({ ascii: true });
    for (const [name, keys] of SCREENS) {
      await visit(session, keys);
      if (['overview', 'trace', 'incident-summary', 'mitigate-actions'].includes(name)) {
        await expect(session.screen()).toMatchFileSnapshot(`__screens__/ascii-80x24/${name}.txt`);
      }
    }
    await session.quit();
    const bytes = Buffer.from(session.terminal.written(), 'utf8');
    expect(bytes.every((byte) => byte <= 0x7f)).toBe(true);
  });
});
