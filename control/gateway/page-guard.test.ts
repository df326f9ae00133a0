// The dashboard's defences one by one: where it may listen, which Host it answers (DNS rebinding), which requests may
// change something (cross-site), the session cookie, logins, and a policy that lets no inline or injected script run.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, LoginThrottle, SessionStore, bindRefusal, checkHost, checkSameOrigin, readCookie, securityHeaders, sessionCookie } from './page-guard.js';

describe('bindRefusal', () => {
  it.each(['127.0.0.1', 'localhost', '::1', '127.0.0.2'])('lets an open page listen on %s', (host) => {
    expect(bindRefusal(host, { tls: false, tokens: 0 })).toBeUndefined();
  });

  it.each([
    ['0.0.0.0', { tls: false, tokens: 0 }, /without tokens \(service\.dashboard\.tokens\) and TLS \(service\.dashboard\.tls\)/],
    ['::', { tls: true, tokens: 0 }, /without tokens \(service\.dashboard\.tokens\);/],
    ['10.1.2.3', { tls: false, tokens: 2 }, /without TLS \(service\.dashboard\.tls\);/],
  ])('refuses %s without what it needs', (host, access, message) => {
    expect(bindRefusal(host, access)).toMatch(message);
  });

  it('lets a page with tokens and TLS listen anywhere', () => {
    expect(bindRefusal('0.0.0.0', { tls: true, tokens: 1 })).toBeUndefined();
  });
});

describe('checkHost (DNS rebinding)', () => {
  it.each(['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST:8080'])('an open page answers %s', (host) => {
    expect(checkHost(host, 8080, true)).toBeUndefined();
  });

  it.each([undefined, 'evil.example:8080', 'evil.example', '127.0.0.1:9090', '127.0.0.1', '0.0.0.0:8080', 'user@127.0.0.1:8080', ''])('an open page refuses %j', (host) => {
    expect(checkHost(host, 8080, true)).toBeDefined();
  });

  it('a page with tokens answers any name (the session cookie does not travel to another origin)', () => {
    expect(checkHost('dashboard.example.com', 8443, false)).toBeUndefined();
  });
});

describe('checkSameOrigin (cross-site requests)', () => {
  const host = '127.0.0.1:8080';
  it('accepts the page’s own origin, or a browser’s same-origin mark when it sent none', () => {
    expect(checkSameOrigin({ origin: 'http://127.0.0.1:8080', host }, false)).toBeUndefined();
    expect(checkSameOrigin({ 'sec-fetch-site': 'same-origin', host }, false)).toBeUndefined();
    expect(checkSameOrigin({ origin: 'https://dash.example:8443', host: 'dash.example:8443' }, true)).toBeUndefined();
  });

  it.each([
    [{ origin: 'http://evil.example', host }, false],
    [{ origin: 'http://127.0.0.1:8081', host }, false],
    [{ origin: 'https://127.0.0.1:8080', host }, false],
    [{ origin: 'http://127.0.0.1:8080', host }, true],
    [{ origin: 'null', host }, false],
    [{ origin: 'null', host, 'sec-fetch-site': 'cross-site' }, false],
    [{ host, 'sec-fetch-site': 'same-site' }, false],
    [{ host }, false],
  ])('refuses %j (tls %s)', (headers, tls) => {
    expect(checkSameOrigin(headers, tls)).toMatch(/cross-site request refused/);
  });
});

describe('the page’s policy', () => {
  it('allows scripts and styles from the gateway only: nothing inline, no eval, no framing, Trusted Types', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("require-trusted-types-for 'script'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    const headers = securityHeaders(true);
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
    expect(headers['strict-transport-security']).toBeDefined();
    expect(securityHeaders(false)['strict-transport-security']).toBeUndefined();
  });
});

describe('sessions', () => {
  it('a cookie the page’s script cannot read and another site cannot send', () => {
    expect(sessionCookie('abc', true, 3600)).toBe('firewatch_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure');
    expect(sessionCookie('', false, 3600)).toBe('firewatch_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(readCookie('a=1; firewatch_session=xyz; b=2', 'firewatch_session')).toBe('xyz');
    expect(readCookie('firewatch_sessionx=1', 'firewatch_session')).toBeUndefined();
    expect(readCookie(undefined, 'firewatch_session')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (header) => void readCookie(header, 'firewatch_session')));
  });

  it('ends after being idle, and when the tokens change', () => {
    let now = 0;
    const store = new SessionStore({ idleSeconds: 60, now: () => now });
    const alice = store.create({ name: 'alice', role: 'operator' });
    expect(alice).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now = 59_000;
    expect(store.principal(alice)).toEqual({ name: 'alice', role: 'operator' });
    now = 118_000; // idle time restarted at 59 s
    expect(store.principal(alice)?.name).toBe('alice');
    now = 179_000;
    expect(store.principal(alice)).toBeUndefined();
    const bob = store.create({ name: 'bob', role: 'viewer' });
    store.clear();
    expect(store.principal(bob)).toBeUndefined();
    expect(store.principal('made-up')).toBeUndefined();
  });

  it('keeps a bounded number, the least recently used going first', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const [a, b] = [store.create({ name: 'a', role: 'viewer' }), store.create({ name: 'b', role: 'viewer' })];
    store.principal(a);
    store.create({ name: 'c', role: 'viewer' });
    expect(store.principal(a)?.name).toBe('a');
    expect(store.principal(b)).toBeUndefined();
  });

  it('lets an address fail a few logins a minute, then makes it wait', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.allowed('10.0.0.9')).toBe(true);
      throttle.failed('10.0.0.9');
    }
    expect(throttle.allowed('10.0.0.9')).toBe(false);
    expect(throttle.allowed('10.0.0.10')).toBe(true);
    now = 61_000;
    expect(throttle.allowed('10.0.0.9')).toBe(true);
  });
});
