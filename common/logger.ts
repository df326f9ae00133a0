// The daemon's log: one line per event on stderr, `time level message key=value …`, easy to grep and to ship.
// Values are quoted when they contain spaces or quotes, and control characters are escaped, since some come
// from telemetry (service names).

export interface Logger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return /[\s"=]/.test(escaped) || escaped === '' ? JSON.stringify(escaped) : escaped;
}

export function formatLogLine(level: string, message: string, fields: Record<string, unknown>, now = new Date()): string {
  const parts = [now.toISOString(), level, message];
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${formatValue(value)}`);
  return `${parts.join(' ')}\n`;
}

export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    info: (message, fields) => write(formatLogLine('info', message, fields)),
    warn: (message, fields) => write(formatLogLine('warn', message, fields)),
    error: (message, fields) => write(formatLogLine('error', message, fields)),
  };
}

/** For tests and embedding: drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
