// The OTLP receivers' secrets, read from where the configuration says (Collector-style): each protocol's `tls`
// files, and `extensions.bearertokenauth`'s tokens and token file. Read at start and again on SIGHUP, so renewed
// certificates and rotated tokens take effect without a restart. Nothing here is ever logged.

import { ConfigError } from '../common/config-checks.js';
import type { TlsServerIdentity } from '../receiver/index.js';
import { MIN_TOKEN_LENGTH, type BearerTokenAuthConfig, type ReceiverTlsConfig } from './config.js';
import { checkTlsIdentity, readSecretFile as readFile } from '../common/secret-files.js';

/** A receiver's certificate chain, key and (for mutual TLS) client CA. */
export function readReceiverTls(tls: ReceiverTlsConfig, path: string): TlsServerIdentity {
  const identity = {
    cert: readFile(tls.cert_file, `${path}.cert_file`),
    key: readFile(tls.key_file, `${path}.key_file`),
    ...(tls.client_ca_file !== null ? { clientCa: readFile(tls.client_ca_file, `${path}.client_ca_file`) } : {}),
  };
  checkTlsIdentity(identity, path);
  return identity;
}

/** Every token a sender may present: those in the configuration and those in the token file (one per line). */
export function readIngestTokens(auth: BearerTokenAuthConfig): string[] {
  const tokens = [...auth.tokens];
  if (auth.filename !== null) {
    const path = 'extensions.bearertokenauth.filename';
    const lines = readFile(auth.filename, path)
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    if (lines.length === 0) throw new ConfigError(path, `${auth.filename} holds no token`);
    const short = lines.findIndex((line) => line.length < MIN_TOKEN_LENGTH || /\s/.test(line));
    if (short >= 0) throw new ConfigError(path, `line ${short + 1} of ${auth.filename} is not one token of at least ${MIN_TOKEN_LENGTH} characters`);
    tokens.push(...lines);
  }
  return tokens;
}
