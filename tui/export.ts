// `e`: the post-mortem as a Markdown file in the working directory, `postmortem-<incident>.md`. An existing file is
// never overwritten: the next free name (`postmortem-<incident>-2.md`, …) is taken and the message says which. The
// Markdown is cleaned of control sequences (someone will `cat` it), the name of anything but [A-Za-z0-9._-].

import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cleanBlock } from '../view/text.js';

const MAX_TRIES = 100;

export function postmortemFileName(incidentId: string, attempt: number): string {
  const safe = incidentId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 80) || 'incident';
  return `postmortem-${safe}${attempt > 1 ? `-${attempt}` : ''}.md`;
}

/** Writes the file; resolves with its absolute path. */
export async function writePostmortemFile(directory: string, incidentId: string, markdown: string): Promise<string> {
  const text = cleanBlock(markdown);
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const path = resolve(join(directory, postmortemFileName(incidentId, attempt)));
    let handle;
    try {
      handle = await open(path, 'wx', 0o644); // wx: fails when the file exists, never truncates one
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      await handle.writeFile(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
    } finally {
      await handle.close();
    }
    return path;
  }
  throw new Error(`${MAX_TRIES} post-mortem files of ${incidentId} exist already in ${directory}`);
}
