import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort, withPort } from './endpoint.js';

describe('host:port', () => {
  it.each([
    ['127.0.0.1:4317', { host: '127.0.0.1', port: 4317 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:4318', { host: '::1', port: 4318 }],
    ['firewatch_1.internal:7070', { host: 'firewatch_1.internal', port: 7070 }],
  ])('reads %s', (text, parts) => {
    expect(parseHostPort(text)).toEqual(parts);
    expect(formatHostPort(parts.host, parts.port)).toBe(text);
  });

  it.each(['4317', ':4317', 'host:', 'host:65536', '::1:4317', 'a b:1', 'http://x:1', '[::1]', 'host:123456', ''])('refuses %j', (text) => {
    expect(parseHostPort(text)).toBeNull();
  });

  it('replaces the port, IPv6 kept in brackets', () => {
    expect(withPort('0.0.0.0:0', 43117)).toBe('0.0.0.0:43117');
    expect(withPort('[::]:0', 1)).toBe('[::]:1');
  });

  it('round-trips whatever it accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const parts = parseHostPort(text);
        if (parts !== null) expect(parseHostPort(formatHostPort(parts.host, parts.port))).toEqual(parts);
      }),
    );
  });
});
