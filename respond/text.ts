// Text that leaves remediation (audit details, command output, refusal messages) reaches terminals and logs, and
// part of it comes from telemetry or from a command's output: escape sequences and control characters go.
// (Same rules as cli/render/terminal-text.ts, which respond/ must not import.)

const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[\s\S]?|\u009b[0-?]*[ -/]*[@-~]|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Escape sequences and control characters removed; tabs and line breaks kept (multi-line output). */
export function sanitizeBlock(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n?/g, '\n').replace(CONTROL_EXCEPT_LINES, '');
}

/** One line: sanitised, whitespace runs folded to one space, trimmed. */
export function oneLine(text: string): string {
  return sanitizeBlock(text).replace(/\s+/g, ' ').trim();
}

/** At most `max` code points, ending with `…` when cut. */
export function bound(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** ISO-8601 UTC of epoch ms. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
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
