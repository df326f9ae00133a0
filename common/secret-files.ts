// Reading the files that hold secrets (certificates, keys, token files) for the receivers and the doors people use:
// one wording for a file that cannot be read, and a certificate and key checked to fit together when read, so a bad
// pair is a ConfigError naming its key at start and on SIGHUP rather than an OpenSSL error from deep in a listener.

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../common/config-checks.js';

/** The file's bytes; a ConfigError at `path` when it cannot be read. */
export function readSecretFile(file: string, path: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(path, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Throws a ConfigError at `path` unless the PEM certificate chain, key (and client CA) make a TLS server identity. */
export function checkTlsIdentity(identity: { cert: Buffer; key: Buffer; clientCa?: Buffer }, path: string): void {
  try {
    createSecureContext({ cert: identity.cert, key: identity.key, ...(identity.clientCa ? { ca: identity.clientCa } : {}) });
  } catch (error) {
    throw new ConfigError(path, `the certificate, key and CA files do not make a TLS identity: ${(error as Error).message}`);
  }
}
