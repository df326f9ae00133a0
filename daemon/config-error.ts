// The error every configuration check throws, shared by daemon/config.ts and the sections other modules own
// (notify/config.ts, respond/config.ts), so those can validate their own keys without importing the daemon.

/** A configuration problem, always naming the key's path. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'ConfigError';
  }
}

/** A short description of a bad value for error messages (strings quoted and cut at 60 characters). */
export function describeValue(raw: unknown): string {
  if (raw === null || raw === undefined) return 'nothing';
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  return String(raw);
}
