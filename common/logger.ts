// The daemon's log: one line per event on stderr, `time level message key=value …`, easy to grep and to ship.
// Values are quoted when they contain spaces or quotes, and control and bidirectional characters are escaped, since
// some come from telemetry (service names). Lines below the configured level (`service.telemetry.logs.level`) are
// dropped before they are formatted.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** What the daemon's modules log through (notify/, respond/ and the services take this much). */
export interface Logger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** The daemon's own logger: also debug lines, and whether a level is written at all (to skip building a line). */
export interface DaemonLogger extends Logger {
  debug(message: string, fields: Record<string, unknown>): void;
  enabled(level: LogLevel): boolean;
}

/** C0/C1 controls, DEL, and the bidirectional controls engine/text.ts strips ("Trojan Source"): escaped, not dropped. */
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const escaped = text.replace(UNSAFE_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return /[\s"=]/.test(escaped) || escaped === '' ? JSON.stringify(escaped) : escaped;
}

export function formatLogLine(level: string, message: string, fields: Record<string, unknown>, now = new Date()): string {
  const parts = [now.toISOString(), level, message];
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${formatValue(value)}`);
  return `${parts.join(' ')}\n`;
}

const noop = (): void => {};

export function createLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  level: LogLevel = DEFAULT_LOG_LEVEL,
): DaemonLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (at: LogLevel): boolean => LOG_LEVELS.indexOf(at) >= threshold;
  // Disabled levels are no-ops chosen once, not a check per line.
  const writer = (at: LogLevel) =>
    enabled(at) ? (message: string, fields: Record<string, unknown>) => write(formatLogLine(at, message, fields)) : noop;
  return { debug: writer('debug'), info: writer('info'), warn: writer('warn'), error: writer('error'), enabled };
}

/** For tests and embedding: drops everything. */
export const silentLogger: DaemonLogger = { debug() {}, info() {}, warn() {}, error() {}, enabled: () => false };
