// Text that leaves remediation (audit details, command output, refusal messages) reaches terminals and logs, and
// part of it comes from telemetry or from a command's output: escape sequences and control characters go.
// The rules are engine/text.ts's, shared with the CLI, notifications and post-mortems.

import { isoTime } from '../common/time.js';
import { oneLine, truncate } from '../common/text.js';

/** sanitizeBlock: escape sequences and control characters removed, tabs and line breaks kept (multi-line output). */
export { oneLine, stripControls as sanitizeBlock } from '../common/text.js';

/** At most `max` code points, ending with `…` when cut. */
export function bound(text: string, max: number): string {
  return truncate(text, max);
}

/** ISO-8601 UTC of epoch ms (`2025-02-05T10:30:00.000Z`); `unknown time` for a value that is not a time. */
export function iso(ms: number): string {
  return isoTime(ms) ?? 'unknown time';
}

/**
 * An argv as one readable line: elements that are empty or hold spaces or quotes are JSON-quoted, so the
 * element boundaries stay visible (it is a display, never something a shell reads).
 */
export function formatArgv(argv: readonly string[]): string {
  const shown = argv
    .map((element) => (element === '' || /[\s"'\\\u0000-\u001f\u007f-\u009f]/.test(element) ? JSON.stringify(element) : element))
    .join(' ');
  return oneLine(shown);
}
