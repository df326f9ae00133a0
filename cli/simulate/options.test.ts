// Flags of `incidents simulate` and `demo`: defaults, and one clear message per bad value (the command turns it into a
// usage error, exit 2). Also the endpoint forms accepted.

import { describe, expect, it } from 'vitest';
import { normalizeEndpoint } from './endpoint.js';
import { DEFAULT_TIMEOUT_SECONDS, parseDemoOptions, parseSimulateOptions } from './options.js';

describe('parseSimulateOptions', () => {
  it('needs only --type, leaving rule-dependent defaults open', () => {
    expect(parseSimulateOptions({ type: 'error_burst' })).toEqual({
      ok: true,
      value: { type: 'error_burst', timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, format: 'table' },
    });
  });

  it('takes every flag', () => {
    const parsed = parseSimulateOptions({
      type: 'service_down',
      severity: 'CRITICAL',
      components: ['auth', 'api'],
      'event-count': 10,
      'time-span': 60,
      endpoint: 'http://localhost:4317/',
      timeout: 5,
      format: 'json',
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        type: 'service_down',
        severity: 'critical',
        components: ['auth', 'api'],
        eventCount: 10,
        timeSpanSeconds: 60,
        endpoint: 'localhost:4317',
        timeoutSeconds: 5,
        format: 'json',
      },
    });
  });

  it.each([
    [{}, /--type is required/],
    [{ type: 'database_connection_failure' }, /--type must be one of error_burst, service_down/],
    [{ type: 'error_burst', severity: 'urgent' }, /--severity must be one of/],
    [{ type: 'error_burst', components: ['a', 'a'] }, /--components component "a" is named twice/],
    [{ type: 'error_burst', 'event-count': 0 }, /--event-count needs a whole number/],
    [{ type: 'error_burst', 'event-count': 1.5 }, /--event-count needs a whole number/],
    [{ type: 'error_burst', 'event-count': 5000 }, /from 1 to 1000/],
    [{ type: 'error_burst', 'time-span': 10_000_000 }, /--time-span is at most/],
    [{ type: 'error_burst', timeout: 0 }, /--timeout needs seconds above 0/],
    [{ type: 'error_burst', endpoint: 'localhost' }, /--endpoint needs HOST:PORT/],
    [{ type: 'error_burst', endpoint: 'https://collector:4317' }, /--endpoint needs HOST:PORT/],
  ])('refuses %j', (flags, message) => {
    const parsed = parseSimulateOptions(flags);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('parseDemoOptions', () => {
  it('runs 15 s by default and takes 4 to 300', () => {
    expect(parseDemoOptions({})).toEqual({ ok: true, value: { durationSeconds: 15 } });
    expect(parseDemoOptions({ duration: 4, endpoint: '127.0.0.1:4317' })).toEqual({ ok: true, value: { durationSeconds: 4, endpoint: '127.0.0.1:4317' } });
    expect(parseDemoOptions({ duration: 3 })).toMatchObject({ ok: false, error: expect.stringMatching(/--duration needs 4 to 300 seconds/) });
    expect(parseDemoOptions({ duration: 301 }).ok).toBe(false);
  });
});

describe('normalizeEndpoint', () => {
  it.each([
    ['127.0.0.1:4317', '127.0.0.1:4317'],
    ['localhost:4317', 'localhost:4317'],
    ['http://collector.internal:4317', 'collector.internal:4317'],
    ['0.0.0.0:4317', '127.0.0.1:4317'],
    [':4317', '127.0.0.1:4317'],
    ['[::]:4317', '[::1]:4317'],
    ['[::1]:4317', '[::1]:4317'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEndpoint(input)).toBe(expected);
  });

  it.each(['localhost', '4317', 'host:0', 'host:70000', 'https://host:4317', 'host:4317/v1/traces', 'a b:1', ''])('refuses %j', (input) => {
    expect(normalizeEndpoint(input)).toBeNull();
  });
});
