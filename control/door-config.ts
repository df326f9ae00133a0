// The settings of a door people come through from elsewhere: the control API's TCP door (`service.control`) and the
// web dashboard (`service.dashboard`). Both take TLS files and bearer tokens with roles, checked here once, so the
// daemon's configuration (daemon/config.ts) and the dashboard command (cli/commands/dashboard.ts, which reads only
// `service.dashboard` of the file) accept and refuse exactly the same things. The secrets are read from disk here too,
// at start and again on SIGHUP. Nothing here ever describes a token's value.

import { ConfigError, describeValue, mapping, nonEmptyString } from '../common/config-checks.js';
import { checkTlsIdentity, readSecretFile } from '../common/secret-files.js';
import { isLoopbackHost, parseHostPort } from '../common/endpoint.js';
import { ROLES, type Role } from '../api/vocabulary.js';
import type { ControlToken } from './access.js';

/** Shortest token accepted: 128 bits as hex is 32; 16 characters already rules out a password typed by hand. */
export const MIN_TOKEN_LENGTH = 16;

export interface TlsFilesConfig {
  /** PEM certificate chain, re-read on SIGHUP. */
  cert_file: string;
  /** PEM private key, re-read on SIGHUP. */
  key_file: string;
}

export interface TokenConfig {
  /** Recorded as the actor of what the bearer does. */
  name: string;
  role: Role;
  /** The token itself (typically `${env:VAR}`), or … */
  token: string | null;
  /** … a file holding it (re-read on SIGHUP). */
  token_file: string | null;
}

/** A certificate and key in PEM, as read from their files. */
export interface TlsIdentity {
  cert: Buffer;
  key: Buffer;
}

/** `{cert_file, key_file}`. */
export function parseTlsFiles(raw: unknown, path: string): TlsFilesConfig {
  const fields = mapping(raw, path, ['cert_file', 'key_file']);
  return { cert_file: nonEmptyString(fields.cert_file, `${path}.cert_file`), key_file: nonEmptyString(fields.key_file, `${path}.key_file`) };
}

/** A list of `{name, role, token | token_file}`, names unique, inline tokens long enough. */
export function parseTokenList(raw: unknown, path: string): TokenConfig[] {
  if (!Array.isArray(raw)) throw new ConfigError(path, `must be a list of {name, role, token | token_file}, got ${describeValue(raw)}`);
  const names = new Set<string>();
  return raw.map((item, index) => {
    const at = `${path}[${index}]`;
    const fields = mapping(item, at, ['name', 'role', 'token', 'token_file']);
    const name = nonEmptyString(fields.name, `${at}.name`);
    if (names.has(name)) throw new ConfigError(`${at}.name`, `${JSON.stringify(name)} names another token already`);
    names.add(name);
    const roleText = typeof fields.role === 'string' ? fields.role.trim().toLowerCase() : undefined;
    if (roleText === undefined || !(ROLES as readonly string[]).includes(roleText)) {
      throw new ConfigError(`${at}.role`, `must be one of ${ROLES.join(', ')}, got ${describeValue(fields.role)}`);
    }
    const hasToken = fields.token !== undefined && fields.token !== null;
    const hasFile = fields.token_file !== undefined && fields.token_file !== null;
    if (hasToken === hasFile) throw new ConfigError(at, 'give exactly one of token and token_file');
    // Never describe the value: it is a secret.
    if (hasToken && (typeof fields.token !== 'string' || fields.token.length < MIN_TOKEN_LENGTH)) {
      throw new ConfigError(`${at}.token`, `must be a string of at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`);
    }
    return {
      name,
      role: roleText as Role,
      token: hasToken ? (fields.token as string) : null,
      token_file: hasFile ? nonEmptyString(fields.token_file, `${at}.token_file`) : null,
    };
  });
}

/** The tokens themselves; a token file that cannot be read, or holds too short a token, is a ConfigError. */
export function readTokens(entries: readonly TokenConfig[], path: string): ControlToken[] {
  return entries.map((entry, index) => {
    let secret = entry.token;
    if (entry.token_file !== null) {
      const at = `${path}[${index}].token_file`;
      secret = readSecretFile(entry.token_file, at).toString('utf8').trim();
      if (secret.length < MIN_TOKEN_LENGTH || /\s/.test(secret)) {
        throw new ConfigError(at, `${entry.token_file} must hold one token of at least ${MIN_TOKEN_LENGTH} characters`);
      }
    }
    return { name: entry.name, role: entry.role, secret: secret ?? '' };
  });
}

/** The certificate chain and key (PEM) the files name, checked to fit together. */
export function readTlsFiles(tls: TlsFilesConfig, path: string): TlsIdentity {
  const identity = { cert: readSecretFile(tls.cert_file, `${path}.cert_file`), key: readSecretFile(tls.key_file, `${path}.key_file`) };
  checkTlsIdentity(identity, path);
  return identity;
}

/** `service.dashboard`: the web dashboard the daemon serves itself, and the page's own door settings. */
export interface DashboardConfig {
  /** host:port the daemon serves the dashboard on; null: it serves none (the default). */
  endpoint: string | null;
  /** Serve the page over HTTPS with this certificate; required for an endpoint that is not loopback. */
  tls: TlsFilesConfig | null;
  /** The page asks for one of these (viewer: sees; operator: acts); required for an endpoint that is not loopback. */
  tokens: TokenConfig[];
}

export function createDefaultDashboardConfig(): DashboardConfig {
  return { endpoint: null, tls: null, tokens: [] };
}

/** `service.dashboard` of a configuration file (`path` names it in errors); null or absent: the defaults. */
export function parseDashboardConfig(raw: unknown, path: string): DashboardConfig {
  const config = createDefaultDashboardConfig();
  if (raw === null || raw === undefined) return config;
  const fields = mapping(raw, path, ['endpoint', 'tls', 'tokens']);
  if (fields.endpoint !== undefined && fields.endpoint !== null) {
    const text = nonEmptyString(fields.endpoint, `${path}.endpoint`);
    if (parseHostPort(text) === null) throw new ConfigError(`${path}.endpoint`, `must be host:port (e.g. 127.0.0.1:8080), got ${describeValue(text)}`);
    config.endpoint = text;
  }
  if (fields.tls !== undefined && fields.tls !== null) config.tls = parseTlsFiles(fields.tls, `${path}.tls`);
  if (fields.tokens !== undefined && fields.tokens !== null) config.tokens = parseTokenList(fields.tokens, `${path}.tokens`);
  if (config.endpoint !== null) checkPageDoor(config.endpoint, config, path);
  return config;
}

/**
 * A page reachable from other machines must ask who is there and must not travel in clear: an address that is not
 * loopback needs tokens and TLS. Throws a ConfigError naming what is missing.
 */
export function checkPageDoor(endpoint: string, door: Pick<DashboardConfig, 'tls' | 'tokens'>, path: string): void {
  const parsed = parseHostPort(endpoint);
  if (parsed === null || isLoopbackHost(parsed.host)) return;
  if (door.tokens.length === 0) {
    throw new ConfigError(`${path}.tokens`, `are required to serve the dashboard on ${endpoint} (not loopback): at least one {name, role, token}`);
  }
  if (door.tls === null) {
    throw new ConfigError(`${path}.tls`, `is required to serve the dashboard on ${endpoint} (not loopback): {cert_file, key_file}`);
  }
}
