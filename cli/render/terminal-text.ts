// Telemetry is untrusted: a service name or an error message can carry escape sequences that move the cursor,
// retitle the window, or write the clipboard (OSC 52). Everything from the daemon passes through here before it
// reaches a terminal. JSON output needs none of this (JSON.stringify escapes control characters).

// ESC-introduced sequences: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ … ST),
// and two-byte escapes (ESC + one character). The 8-bit C1 forms (0x9b CSI, 0x9d OSC, …) likewise.
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[\s\S]?|\u009b[0-?]*[ -/]*[@-~]|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
// Remaining C0 controls (but tab/newline, handled below), DEL, C1 controls, and bidirectional overrides that can
// make text read differently from what it is.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on one line: escape sequences and control characters removed, whitespace folded. */
export function sanitizeLine(text: unknown): string {
  return String(text ?? '')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/[\t\n\r]+/g, ' ')
    .replace(CONTROL_CHARACTER, '');
}

/** Like sanitizeLine, but keeps line breaks (for multi-line blocks such as post-mortems). */
export function sanitizeBlock(text: unknown): string {
  return String(text ?? '')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    .replace(CONTROL_CHARACTER, '');
}

/** Shortens to `width` code points, ending with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

export function displayWidth(text: string): number {
  return Array.from(text).length;
}
