// RFC 4180 CSV. Cells that a spreadsheet would run as a formula (leading = + - @) are prefixed with a quote, since
// the text comes from telemetry; control characters are removed.

import { cleanLine } from '../../view/text.js';

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join(';') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  text = cleanLine(text);
  if (FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(headers: readonly string[], rows: readonly unknown[][]): string {
  return [headers.map(cell).join(','), ...rows.map((row) => row.map(cell).join(','))].join('\n');
}
