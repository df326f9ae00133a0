// Untrusted text made safe to show: telemetry (service names, messages, exception types), operators' notes and
// commands' output can carry escape sequences that move the cursor, retitle the window or write the clipboard
// (OSC 52), control characters, and bidirectional overrides that make text read differently from what it is.
// Every layer that prints such text (the CLI's terminal output, remediation details, notification texts,
// post-mortem Markdown, the terminal UI, the web page) cleans it here. Pure: no imports, no I/O.
//
//   stripControls(text)  escape sequences and control characters removed; tab and line feed kept (CR, CRLF and the
//                        other line separators become LF), so multi-line text keeps its lines
//   oneLine(text)        stripControls, then every whitespace run (line breaks included) folded to one space, trimmed
//   truncate(text, max)  at most `max` code points (or UTF-16 units), ending with `…` when cut, surrogate pairs whole

// ESC-introduced sequences: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ST: titles, OSC 52 clipboard writes),
// DCS/SOS/PM/APC (ESC P|X|^|_ … ST), and two-byte escapes (ESC + one character). The 8-bit C1 forms (0x9b CSI,
// 0x9d OSC, 0x90 DCS, 0x98 SOS, 0x9e PM, 0x9f APC) likewise. An unterminated string sequence runs to the end of
// the text or to the next ESC; whatever is left of a broken sequence is plain text once its controls are gone.
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[\s\S]?|\u009b[0-?]*[ -/]*[@-~]|[\u009d\u0090\u0098\u009e\u009f][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
/** What ends a line: CRLF, CR, vertical tab, form feed, NEL (C1 0x85), and Unicode's line and paragraph separators. */
const LINE_BREAK = /\r\n?|[\u000b\u000c\u0085\u2028\u2029]/g;
/**
 * C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional controls (Unicode's "Trojan Source"
 * list: LRM, RLM, ALM, the embeddings and overrides U+202A–202E, the isolates U+2066–2069).
 */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WHITESPACE_RUN = /\s+/g;

/**
 * `text` without escape sequences, control characters or bidirectional controls. Tab and line feed are kept (they
 * are layout, not control), CR / CRLF / VT / FF / NEL / U+2028 / U+2029 become a line feed; nothing else changes.
 */
export function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_BREAK, '\n').replace(CONTROL_CHARACTER, '');
}

/** stripControls, then every whitespace run (tabs and line breaks included) folded to one space, and trimmed. */
export function oneLine(text: string): string {
  return stripControls(text).replace(WHITESPACE_RUN, ' ').trim();
}

export interface TruncateOptions {
  /**
   * What `max` counts: `code-point` (default: characters as a reader counts them, one per terminal cell for most
   * scripts) or `utf-16` (JavaScript's `length`, which is how most external APIs bound their fields).
   */
  unit?: 'code-point' | 'utf-16';
}

/**
 * At most `max` units of `text`: unchanged when it fits, else the first `max − 1` units and `…`. A surrogate pair
 * (an emoji, a rare CJK character) is never split: when it straddles the cut it goes whole, so the result can be
 * one unit shorter than `max`. `max` below 1 (or not a number) gives ''.
 */
export function truncate(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) return text; // code points never outnumber UTF-16 units
  if (!(max >= 1)) return '';
  const limit = Math.floor(max);
  return options.unit === 'utf-16' ? cutUtf16(text, limit) : cutCodePoints(text, limit);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** `text` is longer than `max` UTF-16 units. */
function cutUtf16(text: string, max: number): string {
  let end = max - 1;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Walks code points (a lone surrogate counts as one, as in Array.from) without splitting the whole text. */
function cutCodePoints(text: string, max: number): string {
  let index = 0;
  let count = 0;
  let cutAt = 0;
  while (index < text.length) {
    if (count === max - 1) cutAt = index;
    if (count === max) return `${text.slice(0, cutAt)}…`; // a code point beyond the max-th: cut
    const pair = isHighSurrogate(text.charCodeAt(index)) && isLowSurrogate(text.charCodeAt(index + 1));
    index += pair ? 2 : 1;
    count += 1;
  }
  return text;
}
