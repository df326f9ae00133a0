// The remote control door's secrets, read from where the configuration says: tokens from `${env:}` (already in the
// configuration) or token files, and the TLS certificate and key. Read at start and again on SIGHUP, so a rotated
// token file or a renewed certificate takes effect without a restart. Nothing here is ever logged.

import { readFileSync } from 'node:fs';
import { ConfigError } from '../common/config-checks.js';
import type { ControlToken } from '../control/access.js';
import type { TlsIdentity } from '../control/server.js';
import { MIN_TOKEN_LENGTH, type ControlConfig } from './config.js';

/** The tokens of the door; a token file that cannot be read, or holds too short a token, is a ConfigError. */
export function readControlTokens(control: ControlConfig): ControlToken[] {
  return control.tokens.map((entry, index) => {
    let secret = entry.token;
    if (entry.token_file !== null) {
      const path = `service.control.tokens[${index}].token_file`;
      try {
        secret = readFileSync(entry.token_file, 'utf8').trim();
      } catch (error) {
        throw new ConfigError(path, `cannot read ${entry.token_file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (secret.length < MIN_TOKEN_LENGTH || /\s/.test(secret)) {
        throw new ConfigError(path, `${entry.token_file} must hold one token of at least ${MIN_TOKEN_LENGTH} characters`);
      }
    }
    return { name: entry.name, role: entry.role, secret: secret ?? '' };
  });
}

/** The door's certificate chain and key (PEM). */
export function readControlTls(control: ControlConfig): TlsIdentity {
  if (control.tls === null) throw new ConfigError('service.control.tls', 'is required with service.control.endpoint');
  const read = (file: string, key: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`service.control.tls.${key}`, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return { cert: read(control.tls.cert_file, 'cert_file'), key: read(control.tls.key_file, 'key_file') };
}
