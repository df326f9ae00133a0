// Bearer tokens compared in constant time: each presented token is hashed and compared with every configured hash
// (timingSafeEqual, no early exit), so neither a token nor its length leaks through timing. Shared by the control
// API's remote door (tokens with names and roles) and the OTLP receivers (the Collector's bearertokenauth).
// Nothing here ever puts a token in a message.

import { createHash, timingSafeEqual } from 'node:crypto';

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Secrets, each standing for a principal; replaced whole on reload (SIGHUP). */
export class TokenTable<P> {
  private entries: Array<{ hash: Buffer; principal: P }> = [];

  constructor(tokens: ReadonlyArray<{ secret: string; principal: P }> = []) {
    this.replace(tokens);
  }

  replace(tokens: ReadonlyArray<{ secret: string; principal: P }>): void {
    this.entries = tokens.map((token) => ({ hash: digest(token.secret), principal: token.principal }));
  }

  /** The principal a presented secret stands for, else undefined; the time taken does not depend on the secret. */
  match(presented: string): P | undefined {
    const hash = digest(presented);
    let found: P | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(hash, entry.hash) && found === undefined) found = entry.principal;
    }
    return found;
  }

  get size(): number {
    return this.entries.length;
  }
}

/** `authorization: <scheme> <token>` (scheme `Bearer` unless said otherwise, any case) → the token; else undefined. */
export function bearerToken(header: unknown, scheme = 'Bearer'): string | undefined {
  if (typeof header !== 'string' || header.length > 8_192) return undefined;
  const space = header.search(/[ \t]/);
  if (space <= 0 || header.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return undefined;
  const token = header.slice(space).trim();
  return token === '' || /\s/.test(token) ? undefined : token;
}
