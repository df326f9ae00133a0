// The remote control door's secrets, read from where the configuration says: tokens from `${env:}` (already in the
// configuration) or token files, and the TLS certificate and key. Read at start and again on SIGHUP, so a rotated
// token file or a renewed certificate takes effect without a restart. Nothing here is ever logged.

import { ConfigError } from '../common/config-checks.js';
import type { ControlToken } from '../control/access.js';
import type { TlsIdentity } from '../control/server.js';
import { MIN_TOKEN_LENGTH, type ControlConfig } from './config.js';
import { checkTlsIdentity, readSecretFile } from './secret-files.js';

/** The tokens of the door; a token file that cannot be read, or holds too short a token, is a ConfigError. */
export function readControlTokens(control: ControlConfig): ControlToken[] {
  return control.tokens.map((entry, index) => {
    let secret = entry.token;
    if (entry.token_file !== null) {
      const path = `service.control.tokens[${index}].token_file`;
      secret = readSecretFile(entry.token_file, path).toString('utf8').trim();
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
  const identity = { cert: readSecretFile(control.tls.cert_file, 'service.control.tls.cert_file'), key: readSecretFile(control.tls.key_file, 'service.control.tls.key_file') };
  checkTlsIdentity(identity, 'service.control.tls');
  return identity;
}
