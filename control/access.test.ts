import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate, authorize, bearerToken, mayCall, TokenTable } from './access.js';

const tokens = new TokenTable([
  { name: 'alice', role: 'operator', secret: 'op-3f9c1a7e5b2d4f6a8c0e' },
  { name: 'wall', role: 'viewer', secret: 'view-7b1d3f5a9c2e4b6d8f' },
]);

describe('control door access', () => {
  it('lets a viewer list silences and notifications, and only an operator change them', () => {
    for (const call of ['ListSilences', 'ListNotifications']) expect(mayCall('viewer', call, {})).toBe(true);
    for (const call of ['CreateSilence', 'ExpireSilence', 'RetryNotifications', 'DropNotification']) {
      expect(mayCall('viewer', call, {})).toBe(false);
      expect(mayCall('operator', call, {})).toBe(true);
    }
  });

  it('finds the principal of a bearer token', () => {
    expect(authenticate(tokens, 'Bearer op-3f9c1a7e5b2d4f6a8c0e')).toEqual({ name: 'alice', role: 'operator' });
    expect(authenticate(tokens, 'bearer   view-7b1d3f5a9c2e4b6d8f')).toEqual({ name: 'wall', role: 'viewer' });
  });

  it('refuses a missing, malformed or wrong token without naming it', () => {
    expect(() => authenticate(tokens, undefined)).toThrow('unauthenticated: a bearer token is required');
    expect(() => authenticate(tokens, 'Basic abc')).toThrow('unauthenticated: a bearer token is required');
    expect(() => authenticate(tokens, 'Bearer op-3f9c1a7e5b2d4f6a8c0')).toThrow('unauthenticated: the token is not valid');
    try {
      authenticate(tokens, 'Bearer secret-guess-123');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-guess');
    }
  });

  it('never authenticates random headers (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `Bearer ${s}`), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1'))), (header) => {
        let principal;
        try {
          principal = authenticate(tokens, header);
        } catch (error) {
          expect((error as { kind?: string }).kind).toBe('unauthenticated');
          return;
        }
        expect(bearerToken(header)).toMatch(/^(op-3f9c1a7e5b2d4f6a8c0e|view-7b1d3f5a9c2e4b6d8f)$/);
        expect(principal).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('lets a viewer read and watch, an operator do everything', () => {
    for (const call of ['GetStatus', 'ListIncidents', 'GetIncident', 'GetTrace', 'GetStats', 'ListComponents', 'WatchIncidents', 'GetTimeline']) {
      expect(mayCall('viewer', call, {})).toBe(true);
    }
    for (const call of ['UpdateIncident', 'ResolveIncident', 'CloseIncident', 'Mitigate', 'SetRulesEnabled', 'CreateRule', 'CreateIncident']) {
      expect(mayCall('viewer', call, {})).toBe(false);
      expect(mayCall('operator', call, {})).toBe(true);
    }
    expect(mayCall('viewer', 'TestRule', { dry_run: true })).toBe(true);
    expect(mayCall('viewer', 'TestRule', { dry_run: false })).toBe(false);
    expect(() => authorize({ name: 'wall', role: 'viewer' }, 'Mitigate', {})).toThrow('forbidden: wall is a viewer and may not mitigate');
  });
});
