// The remote control door's secrets, read from where the configuration says: tokens from `${env:}` (already in the
// configuration) or token files, and the TLS certificate and key. Read at start and again on SIGHUP, so a rotated
// token file or a renewed certificate takes effect without a restart. Nothing here is ever logged.

import { ConfigError } from '../common/config-checks.js';
import { readTlsFiles, readTokens, type TlsIdentity } from '../control/door-config.js';
import type { ControlToken } from '../control/access.js';
import type { ControlConfig } from './config.js';

/** The tokens of the door; a token file that cannot be read, or holds too short a token, is a ConfigError. */
export function readControlTokens(control: ControlConfig): ControlToken[] {
  return readTokens(control.tokens, 'service.control.tokens');
}

/** The door's certificate chain and key (PEM). */
export function readControlTls(control: ControlConfig): TlsIdentity {
  if (control.tls === null) throw new ConfigError('service.control.tls', 'is required with service.control.endpoint');
  return readTlsFiles(control.tls, 'service.control.tls');
}
