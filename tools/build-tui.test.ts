// The TUI's bundle (tools/build-tui.ts): built into a temporary directory from the sources, it must be one file that
// loads nothing from node_modules (what made `firewatch tui` slow to start was Ink's ~500 module files), hold no
// second copy of a module of ours, and draw a frame with Ink's layout engine loaded without fetch().

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTui, isTuiBundle } from './build-tui.js';

const root = resolve(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'firewatch-tui-bundle-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the TUI bundle', () => {
  it('is one file importing only node built-ins, and draws the controller frame through Ink', { timeout: 60_000 }, async () => {
    const outfile = join(directory, 'app.js');
    const bundle = await buildTui(root, outfile);
    expect(bundle.imports.filter((name) => !name.startsWith('node:'))).toEqual([]);
    expect(isTuiBundle(outfile)).toBe(true);

    // Loaded in a process of its own, as `firewatch tui` loads it: a frame of two lines through React, Ink and Yoga.
    const script = join(directory, 'draw.mjs');
    writeFileSync(
      script,
      `import { EventEmitter } from 'node:events';
      const { mountApp } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      const frame = { lines: [{ segments: [{ text: 'first line', style: { bold: true } }], width: 10 }, { segments: [], width: 0 }, { segments: [{ text: 'third', style: {} }], width: 5 }] };
      const controller = { subscribe: () => () => undefined, getSnapshot: () => frame };
      // Debug mode writes each whole frame; the first one is the frame. Wait for it rather than a fixed time: on a
      // loaded machine 50 ms was not always enough, and the unmount's closing newline was read instead.
      let written = '';
      let drawn;
      const firstFrame = new Promise((done) => (drawn = done));
      const sink = Object.assign(new EventEmitter(), { columns: 40, rows: 10, isTTY: false, write: (data) => { if (written === '' && data.trim() !== '') { written = data; drawn(); } return true; } });
      const app = mountApp(controller, { stdout: sink, stderr: sink, stdin: new EventEmitter(), debug: true, exitOnCtrlC: false, patchConsole: false });
      await Promise.race([firstFrame, new Promise((done) => setTimeout(done, 20_000).unref())]);
      app.unmount();
      process.stdout.write(JSON.stringify(written));`,
    );
    const written = JSON.parse(execFileSync(process.execPath, [script], { env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0' }, encoding: 'utf8' })) as string;
    expect(written.split('\n')).toEqual(['first line', '', 'third']); // Ink drops trailing blanks
  });

  it('refuses to take a module of ours inside (it would exist twice at run time)', async () => {
    // An entry that imports a value, not only a type, from another module of ours.
    const entry = join(directory, 'stray.tsx');
    writeFileSync(entry, `import { createTheme } from ${JSON.stringify(join(root, 'tui', 'theme.js'))};\nexport const theme = createTheme;\n`);
    await expect(buildTui(root, join(directory, 'stray.js'), entry)).rejects.toThrow(/must import only types of ours .*tui\/theme\.ts/);
  });
});
