import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryConfig } from './config.js';
import { classifyHttpStatus, MAX_RETRY_AFTER_MS, nextBackoffMs, parseRetryAfter, postJson } from './delivery.js';
import { startReceiver, T0, type TestReceiver } from '../test/helpers/notify-fixtures.js';

const SECRET_PATH = '/services/T000/B000/SECRETTOKEN';

describe('classifyHttpStatus', () => {
  it.each<[number, string]>([
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [301, 'dead'],
    [400, 'dead'],
    [401, 'dead'],
    [404, 'dead'],
    [410, 'dead'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
  ])('%i → %s', (status, outcome) => {
    expect(classifyHttpStatus(status, null, 'slack', T0).outcome).toBe(outcome);
  });

  it('names the channel and the status', () => {
    expect(classifyHttpStatus(503, '7', 'webhook:ops', T0)).toEqual({
      outcome: 'retry',
      error: 'webhook:ops: HTTP 503 Service Unavailable',
      retryAfterMs: 7000,
    });
    expect(classifyHttpStatus(400, null, 'pagerduty', T0)).toEqual({ outcome: 'dead', error: 'pagerduty: HTTP 400 Bad Request' });
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['2', 2000],
    [' 0 ', 0],
    ['soon', undefined],
    ['-5', undefined],
    [new Date(T0 + 30_000).toUTCString(), 30_000],
    [new Date(T0 - 30_000).toUTCString(), 0],
    ['999999', MAX_RETRY_AFTER_MS],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, T0)).toBe(expected);
  });
});

describe('nextBackoffMs', () => {
  const retry: RetryConfig = { initial_backoff_seconds: 1, max_backoff_seconds: 300, max_attempts: 20 };

  it('doubles the ceiling per attempt, draws under it, and caps at max', () => {
    expect(nextBackoffMs(1, retry, () => 0.999_999)).toBe(999);
    expect(nextBackoffMs(3, retry, () => 0.5)).toBe(2000);
    expect(nextBackoffMs(40, retry, () => 0.999_999)).toBe(299_999);
    expect(nextBackoffMs(1_000_000, retry, () => 1)).toBe(300_000);
    expect(nextBackoffMs(1, retry, () => 0)).toBe(0);
  });

  it('honours Retry-After as a floor, up to max_backoff_seconds', () => {
    expect(nextBackoffMs(1, retry, () => 0, 2000)).toBe(2000);
    expect(nextBackoffMs(9, retry, () => 1, 2000)).toBe(256_000);
    expect(nextBackoffMs(1, retry, () => 0, 3_600_000)).toBe(300_000);
  });

  it('property: 0 ≤ delay ≤ max; ≤ the exponential ceiling unless Retry-After asks for more; ≥ min(Retry-After, max)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.001, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 3600, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: MAX_RETRY_AFTER_MS }), { nil: undefined }),
        (attempts, initial, extra, maxAttempts, draw, retryAfter) => {
          const config: RetryConfig = { initial_backoff_seconds: initial, max_backoff_seconds: initial + extra, max_attempts: maxAttempts };
          const maxMs = config.max_backoff_seconds * 1000;
          const delay = nextBackoffMs(attempts, config, () => draw, retryAfter);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxMs);
          const ceiling = Math.min(maxMs, initial * 1000 * 2 ** (attempts - 1));
          expect(delay).toBeLessThanOrEqual(Math.max(ceiling, Math.min(retryAfter ?? 0, maxMs)));
          if (retryAfter !== undefined) expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter, maxMs));
        },
      ),
    );
  });
});

describe('postJson', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs JSON with the given headers and reports 2xx as delivered', async () => {
    // prepare
    receiver = await startReceiver();

    // act
    const result = await postJson(receiver.url, { a: 1 }, { 'x-team': 'sre' }, 2000, { channel: 'webhook:ops' });

    // verify
    expect(result).toEqual({ outcome: 'delivered' });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/hook', body: '{"a":1}' });
    expect(receiver.requests[0]!.headers['content-type']).toBe('application/json');
    expect(receiver.requests[0]!.headers['x-team']).toBe('sre');
  });

  it('retries 429 with Retry-After and dead-letters 400, never showing the URL', async () => {
    // prepare
    receiver = await startReceiver();
    receiver.script({ status: 429, headers: { 'retry-after': '2' } }, { status: 400, body: `bad ${SECRET_PATH}` });
    const url = receiver.url.replace('/hook', SECRET_PATH);

    // act
    const first = await postJson(url, {}, {}, 2000, { channel: 'slack' });
    const second = await postJson(url, {}, {}, 2000, { channel: 'slack' });

    // verify
    expect(first).toEqual({ outcome: 'retry', error: 'slack: HTTP 429 Too Many Requests', retryAfterMs: 2000 });
    expect(second).toEqual({ outcome: 'dead', error: 'slack: HTTP 400 Bad Request' });
  });

  it('does not follow redirects', async () => {
    receiver = await startReceiver({ status: 307, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const result = await postJson(receiver.url, {}, {}, 2000, { channel: 'webhook:ops' });
    expect(result).toEqual({ outcome: 'dead', error: 'webhook:ops: HTTP 307 Temporary Redirect (redirects are not followed)' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries a refused connection, naming only the error code', async () => {
    // prepare: a port that was free a moment ago
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // act
    const result = await postJson(`http://127.0.0.1:${port}${SECRET_PATH}`, {}, {}, 2000, { channel: 'slack' });

    // verify
    expect(result).toEqual({ outcome: 'retry', error: 'slack: network error ECONNREFUSED' });
  });

  it('retries a timeout', async () => {
    receiver = await startReceiver({ status: 200, delayMs: 1000 });
    const result = await postJson(receiver.url, {}, {}, 100, { channel: 'pagerduty' });
    expect(result).toEqual({ outcome: 'retry', error: 'pagerduty: timed out after 0.1s' });
  });
});
