// The error every configuration check throws, and the checks shared by daemon/config.ts and the sections other
// modules own (notify/config.ts, respond/config.ts), so those can validate their own keys without importing the
// daemon. A leaf module: it imports nothing.
//
// Every check takes the raw value (after ${env:VAR} expansion) and the key's path, and returns the checked value or
// throws ConfigError naming that path.

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

/** What kind of value `raw` is, never the value itself (for values that may be secrets). */
function describeKind(raw: unknown): string {
  if (raw === null || raw === undefined || typeof raw === 'object') return describeValue(raw);
  if (typeof raw === 'string') return raw.trim() === '' ? 'an empty string' : 'a string';
  return `a ${typeof raw}`;
}

/** `path.key`, or `key` at the top. */
function keyPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Defines `target[key]` as an own, enumerable property. Plain assignment would drop a key named `__proto__` (which
 * the yaml package produces as an own key) and set the object's prototype instead.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A mapping with any keys; `expected` names what it should be in the message (`a mapping of … to …`). */
export function plainMapping(raw: unknown, path: string, expected = 'a mapping'): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(path, `must be ${expected}, got ${describeValue(raw)}`);
  }
  return raw as Record<string, unknown>;
}

/** A mapping whose keys are all in `known`; an unknown key fails naming its own path and the known keys. */
export function mapping(raw: unknown, path: string, known: readonly string[], expected = 'a mapping'): Record<string, unknown> {
  const fields = plainMapping(raw, path, expected);
  for (const key of Object.keys(fields)) {
    if (!known.includes(key)) throw new ConfigError(keyPath(path, key), `unknown key (known here: ${known.join(', ')})`);
  }
  return fields;
}

/** A finite number above 0 and at most `max`. */
export function positiveNumber(raw: unknown, path: string, max: number): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0 || raw > max) {
    throw new ConfigError(path, `must be a number above 0 and at most ${max}, got ${describeValue(raw)}`);
  }
  return raw;
}

/** An integer from `min` to `max`. */
export function wholeNumber(raw: unknown, path: string, min: number, max: number): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw new ConfigError(path, `must be a whole number from ${min} to ${max}, got ${describeValue(raw)}`);
  }
  return raw;
}

export function boolean(raw: unknown, path: string): boolean {
  if (typeof raw !== 'boolean') throw new ConfigError(path, `must be true or false, got ${describeValue(raw)}`);
  return raw;
}

/** A string with something other than white space in it (returned as given). */
export function nonEmptyString(raw: unknown, path: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(path, `must be a non-empty string, got ${describeValue(raw)}`);
  }
  return raw;
}

/**
 * An absolute http: or https: URL without `user:password@`, returned as given. The value is never echoed: webhook
 * URLs carry their credentials in the path or query. `credentialsAdvice` ends the message refusing credentials
 * (where they belong instead).
 */
export function httpUrl(raw: unknown, path: string, credentialsAdvice?: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(path, `must be an http(s) URL, got ${describeKind(raw)}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(path, 'must be an absolute http(s) URL (it does not parse)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(path, `must be an http(s) URL, got scheme ${JSON.stringify(url.protocol.slice(0, 20).replace(/:$/, ''))} (use http or https)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(path, `must not carry credentials (user:password@)${credentialsAdvice ? `: ${credentialsAdvice}` : ''}`);
  }
  return raw;
}

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface HeaderMapOptions {
  /** Lower-case names firewatch sets itself; configuring one is refused. */
  reserved?: ReadonlySet<string>;
  /** Accept numbers (YAML `X-Count: 3`) as their text; otherwise they must be quoted. */
  numbers?: boolean;
}

/**
 * A mapping of HTTP header names to values. Values are never echoed (they are often credentials: Authorization).
 * Built with setOwn, so a header named `__proto__` is kept as a header.
 */
export function headerMap(raw: unknown, path: string, options: HeaderMapOptions = {}): Record<string, string> {
  const fields = plainMapping(raw, path, 'a mapping of header names to values');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const at = `${path}.${name}`;
    if (!HEADER_NAME.test(name)) throw new ConfigError(at, 'is not a valid HTTP header name');
    if (options.reserved?.has(name.toLowerCase())) throw new ConfigError(at, 'is set by firewatch and cannot be configured');
    if (typeof value !== 'string' && !(options.numbers && typeof value === 'number')) {
      throw new ConfigError(at, `must be a string${options.numbers ? '' : ' (quote numbers)'}, got ${describeKind(value)}`);
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw new ConfigError(at, 'must not contain line breaks or NUL');
    setOwn(headers, name, text);
  }
  return headers;
}
