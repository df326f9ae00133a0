// How things look: glyphs (Unicode or ASCII) and styles (with colour or without). Screens ask the theme; they never
// name a colour or a box character themselves, so NO_COLOR and --ascii hold everywhere by construction.
//
// Without colour every meaning still shows: severity and status are words, failing spans carry a mark, the selected
// row has a marker and inverse video (no-color.org allows inverse), the header is inverse.

import type { ComponentStatus, Severity } from '../api/vocabulary.js';
import type { ConnectionState } from '../view/incidents-state.js';
import { ASCII_ELLIPSIS, ELLIPSIS, toAscii } from '../view/text.js';

export type Style = {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
};

export type Glyphs = {
  /** Marks the selected row, in front of it. */
  selected: string;
  horizontal: string;
  vertical: string;
  separator: string;
  breadcrumb: string;
  ellipsis: string;
  live: string;
  away: string;
  collapsed: string;
  expanded: string;
  rootCause: string;
  barFull: string;
  barEmpty: string;
};

const UNICODE: Glyphs = {
  selected: '›',
  horizontal: '─',
  vertical: '│',
  separator: '·',
  breadcrumb: '›',
  ellipsis: ELLIPSIS,
  live: '●',
  away: '○',
  collapsed: '▸',
  expanded: '▾',
  rootCause: '◆',
  barFull: '█',
  barEmpty: '░',
};

const ASCII: Glyphs = {
  selected: '>',
  horizontal: '-',
  vertical: '|',
  separator: '.',
  breadcrumb: '>',
  ellipsis: ASCII_ELLIPSIS,
  live: '*',
  away: 'o',
  collapsed: '+',
  expanded: '-',
  rootCause: '!',
  barFull: '#',
  barEmpty: '.',
};

export type Theme = {
  colour: boolean;
  ascii: boolean;
  glyphs: Glyphs;
  /** Text as this terminal may show it: ASCII-folded with --ascii, else as it is (cleaned already). */
  text(value: string): string;
  plain: Style;
  dim: Style;
  bold: Style;
  header: Style;
  selected: Style;
  heading: Style;
  key: Style;
  error: Style;
  info: Style;
  severity(severity: Severity): Style;
  componentStatus(status: ComponentStatus): Style;
  connection(state: ConnectionState): Style;
  failed: Style;
  rootCause: Style;
};

const SEVERITY_COLOURS: Record<Severity, string> = { critical: 'red', high: 'magenta', medium: 'yellow', low: 'cyan', info: 'gray' };
const COMPONENT_COLOURS: Record<ComponentStatus, string> = { healthy: 'green', warning: 'yellow', degraded: 'magenta', down: 'red' };
const CONNECTION_COLOURS: Record<ConnectionState, string> = { connected: 'green', connecting: 'yellow', reconnecting: 'yellow' };

export function createTheme(options: { colour: boolean; ascii: boolean }): Theme {
  const { colour, ascii } = options;
  const tint = (color: string, extra: Style = {}): Style => (colour ? { color, ...extra } : { ...extra });
  return {
    colour,
    ascii,
    glyphs: ascii ? ASCII : UNICODE,
    text: ascii ? toAscii : (value) => value,
    plain: {},
    dim: { dim: true },
    bold: { bold: true },
    header: { inverse: true },
    selected: { inverse: true },
    heading: { bold: true },
    key: { bold: true },
    error: tint('red', { bold: true }),
    info: tint('green'),
    severity: (severity) => tint(SEVERITY_COLOURS[severity], severity === 'critical' ? { bold: true } : {}),
    componentStatus: (status) => tint(COMPONENT_COLOURS[status], status === 'down' ? { bold: true } : {}),
    connection: (state) => tint(CONNECTION_COLOURS[state], state === 'connected' ? {} : { bold: true }),
    failed: tint('red', { bold: true }),
    rootCause: tint('red', { bold: true }),
  };
}
