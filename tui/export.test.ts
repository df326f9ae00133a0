import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postmortemFileName, writePostmortemFile } from './export.js';

describe('writePostmortemFile', () => {
  it('writes the cleaned Markdown, and never overwrites: the next free name is taken', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'firewatch-export-'));
    writeFileSync(join(directory, 'postmortem-inc_00007.md'), 'mine');
    const path = await writePostmortemFile(directory, 'inc_00007', '# Post-mortem\u001b]52;c;AAAA\u0007\nok');
    expect(path).toBe(join(directory, 'postmortem-inc_00007-2.md'));
    expect(readFileSync(path, 'utf8')).toBe('# Post-mortem\nok\n');
    expect(readFileSync(join(directory, 'postmortem-inc_00007.md'), 'utf8')).toBe('mine');
  });

  it('keeps the file name inside the directory whatever the id says', () => {
    expect(postmortemFileName('../../etc/passwd', 1)).toBe('postmortem-__.._etc_passwd.md');
    expect(postmortemFileName('..', 1)).toBe('postmortem-_.md');
  });
});
