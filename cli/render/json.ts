// JSON for a terminal. JSON.stringify escapes C0 controls and lone surrogates, but JSON allows every other
// character raw, so DEL, the C1 controls (U+009B is an 8-bit CSI that some terminals obey), bidirectional controls
// and Unicode line separators from telemetry would reach the terminal as they are. They are escaped here as \uXXXX:
// outside string literals JSON.stringify writes only ASCII, so every such character is inside a string, where the
// escape means the same character to any JSON parser. Every JSON the CLI prints goes through formatJson.

/** What JSON.stringify leaves raw that a terminal may act on or that reads differently from what it is. */
const TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `value` as JSON (indented by `indent` spaces; 0: one line) with no character a terminal could act on. */
export function formatJson(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.replace(TERMINAL_UNSAFE, escapeCharacter);
}
