// Telemetry is untrusted: a service name or an error message can carry escape sequences that move the cursor,
// retitle the window, or write the clipboard (OSC 52). Everything from the daemon passes through here before it
// reaches a terminal. JSON output keeps the text and escapes instead (render/json.ts).
// The cleaning rules themselves live in engine/text.ts, shared with remediation, notifications and post-mortems.

import { stripControls, truncate as truncateText } from '../../engine/text.js';

/** Text safe to print on one line: escape sequences and control characters removed, tabs and line breaks → a space. */
export function sanitizeLine(text: unknown): string {
  return stripControls(String(text ?? '')).replace(/[\t\n]+/g, ' ');
}

/** Like sanitizeLine, but keeps line breaks (for multi-line blocks such as post-mortems); a tab becomes two spaces. */
export function sanitizeBlock(text: unknown): string {
  return stripControls(String(text ?? '')).replace(/\t/g, '  ');
}

/** Shortens to `width` code points (one terminal cell each, see displayWidth), ending with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  return truncateText(text, width);
}

export function displayWidth(text: string): number {
  return Array.from(text).length;
}
