// Who may use the dashboard and how the browser is told to keep the page safe. Four defences, each for one attack:
//
//   where it listens   a page on another machine's reach needs tokens and TLS (bindRefusal); loopback may be open
//   DNS rebinding      an open (tokenless) page answers only Host headers that name loopback (checkHost): a site that
//                      rebinds its name to 127.0.0.1 still sends its own name and is turned away
//   cross-site writes  every change must come from the page's own origin (checkSameOrigin: Origin, else
//                      Sec-Fetch-Site) as JSON, and the session cookie is SameSite=Strict and HttpOnly
//   injected content   a strict Content-Security-Policy: scripts and styles only from the gateway, no inline script,
//                      no eval, Trusted Types required for every HTML sink (the page never uses one), no framing
//
// Logging in trades a token (the control API's viewer/operator tokens, control/access.ts) for a random session id in
// a cookie; the token itself is never stored, echoed or logged.

import { randomBytes } from 'node:crypto';
import { isLoopbackHost } from '../../common/endpoint.js';
import type { Principal } from '../access.js';

/** Scripts and styles from the gateway only; JSON and the event stream to it only; nothing inline, nothing framed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers every answer carries. */
export function securityHeaders(tls: boolean): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(tls ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

/** Why the gateway must not listen on `host` with these settings; undefined when it may. */
export function bindRefusal(host: string, access: { tls: boolean; tokens: number }): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const missing = [access.tokens === 0 ? 'tokens (service.dashboard.tokens)' : '', access.tls ? '' : 'TLS (service.dashboard.tls)']
    .filter((part) => part !== '')
    .join(' and ');
  if (missing === '') return undefined;
  return `refusing to serve the dashboard on ${host} (reachable from other machines) without ${missing}; bind 127.0.0.1, or configure them`;
}

/** Host header → host name without port or brackets, lower case; undefined when malformed. */
function hostName(header: string): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (match === null) return undefined;
  const name = match[1]!.toLowerCase();
  return { name: name.startsWith('[') ? name.slice(1, -1) : name, port: match[2] ?? '' };
}

/**
 * An open page (no tokens) answers only requests addressed to a loopback name on its own port: the defence against
 * DNS rebinding, where another site's name comes to point at 127.0.0.1. Undefined when acceptable, else why not.
 */
export function checkHost(header: string | undefined, port: number, open: boolean): string | undefined {
  if (!open) return undefined; // tokens protect the page whatever name it is reached by
  const parsed = header === undefined ? undefined : hostName(header);
  if (parsed === undefined) return 'a Host header is required';
  if (!isLoopbackHost(parsed.name) || parsed.port !== String(port)) {
    return 'this dashboard answers only on its loopback address (open it as http://127.0.0.1:PORT/)';
  }
  return undefined;
}

/**
 * A change must come from the page itself: its Origin must be this very origin (scheme, host, port), or, where a
 * browser sent none, Sec-Fetch-Site must say same-origin. Undefined when it does, else why not.
 */
export function checkSameOrigin(headers: { origin?: string; host?: string; 'sec-fetch-site'?: string }, tls: boolean): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined && origin !== 'null') {
    const expected = `${tls ? 'https' : 'http'}://${(headers.host ?? '').toLowerCase()}`;
    return origin.toLowerCase() === expected ? undefined : 'cross-site request refused (its Origin is not this dashboard)';
  }
  if (headers['sec-fetch-site'] === 'same-origin') return undefined;
  return 'cross-site request refused (no Origin: changes are made from the dashboard page)';
}

/** `name=value` from a Cookie header; undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export const SESSION_COOKIE = 'firewatch_session';

/** The Set-Cookie value for a session (or, with `id` '', the one that ends it). */
export function sessionCookie(id: string, tls: boolean, maxAgeSeconds: number): string {
  // __Host- would pin it further but requires Secure, which a loopback page over plain HTTP cannot have.
  return [`${SESSION_COOKIE}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${id === '' ? 0 : maxAgeSeconds}`, ...(tls ? ['Secure'] : [])].join(
    '; ',
  );
}

export interface SessionStoreOptions {
  /** A session ends after this long without a request. Default 12 h. */
  idleSeconds?: number;
  /** Most sessions at once; the least recently used ends first. Default 10,000. */
  maxSessions?: number;
  now?: () => number;
}

/** Logged-in pages: random ids → who logged in. */
export class SessionStore {
  private readonly sessions = new Map<string, { principal: Principal; lastUsed: number }>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.idleMs = (options.idleSeconds ?? 12 * 3600) * 1000;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get idleSeconds(): number {
    return this.idleMs / 1000;
  }

  create(principal: Principal): string {
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { principal, lastUsed: this.now() });
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
    return id;
  }

  /** Who a session id belongs to (its idle time restarts); undefined when unknown or expired. */
  principal(id: string | undefined): Principal | undefined {
    if (id === undefined || id === '') return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.now();
    if (now - session.lastUsed > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastUsed = now;
    this.sessions.delete(id); // re-insert: the map's order is least recently used first
    this.sessions.set(id, session);
    return session.principal;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Every session ends (the tokens were replaced: who holds which token may have changed). */
  clear(): void {
    this.sessions.clear();
  }
}

/** Failed logins per client address: a few a minute, so guessing a token by the page costs what it costs offline. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly perMinute = 10,
    private readonly now: () => number = Date.now,
  ) {}

  allowed(address: string): boolean {
    const entry = this.failures.get(address);
    if (entry === undefined) return true;
    if (this.now() - entry.since > 60_000) {
      this.failures.delete(address);
      return true;
    }
    return entry.count < this.perMinute;
  }

  failed(address: string): void {
    const now = this.now();
    const entry = this.failures.get(address);
    if (entry === undefined || now - entry.since > 60_000) this.failures.set(address, { count: 1, since: now });
    else entry.count++;
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }
}
