// Who may send telemetry: the Collector's `bearertokenauth` on a receiver (`auth: {authenticator: bearertokenauth}`).
// A sender without a valid `authorization: Bearer <token>` gets gRPC UNAUTHENTICATED / HTTP 401, and nothing of its
// export is decoded, counted or stored. Tokens are compared in constant time (common/bearer-tokens.ts).

import { bearerToken, TokenTable } from '../common/bearer-tokens.js';

export interface IngestAuth {
  /** The accepted tokens; replaced on reload (SIGHUP re-reads a token file). */
  tokens: TokenTable<true>;
  /** The scheme before the token (the Collector's `scheme`); default `Bearer`. */
  scheme?: string;
}

/** Throws an Error naming `path` unless `auth` holds a token table. */
export function validateIngestAuth(auth: unknown, path: string): void {
  const fields = (auth ?? {}) as Partial<Record<keyof IngestAuth, unknown>>;
  if (!(fields.tokens instanceof TokenTable)) throw new Error(`${path}.tokens: must be a TokenTable`);
  if (fields.scheme !== undefined && (typeof fields.scheme !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(fields.scheme))) {
    throw new Error(`${path}.scheme: must be an HTTP auth scheme token, got ${JSON.stringify(fields.scheme)}`);
  }
}

/** The table's entries for these tokens (a sender is a sender: no names). */
export function ingestTokenEntries(secrets: readonly string[]): Array<{ secret: string; principal: true }> {
  return secrets.map((secret) => ({ secret, principal: true as const }));
}

export function ingestTokens(secrets: readonly string[]): TokenTable<true> {
  return new TokenTable(ingestTokenEntries(secrets));
}

/** Why a header does not let its sender in ('' when it does). Never names the token. */
export function ingestRefusal(auth: IngestAuth | undefined, header: unknown): string {
  if (auth === undefined) return '';
  const token = bearerToken(header, auth.scheme ?? 'Bearer');
  if (token === undefined) return `a ${auth.scheme ?? 'Bearer'} token is required (authorization header)`;
  return auth.tokens.match(token) === undefined ? 'the token is not valid' : '';
}
