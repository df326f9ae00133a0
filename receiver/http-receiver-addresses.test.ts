// The OTLP/HTTP port on a host name that resolves to two addresses (here a name the resolver is made to answer with
// 127.0.0.1 and ::1, as `localhost` is on many hosts; this machine's resolves to 127.0.0.1 alone): it answers on
// both, and a stop waits for an export in flight on either, as it does for one.

import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from './http-receiver.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { createRecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';

const TWO_ADDRESSES = 'two-addresses.test';

vi.mock('node:dns/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns/promises')>();
  const lookup = (async (host: string, options: object) =>
    host === TWO_ADDRESSES
      ? [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ]
      : actual.lookup(host, options as never)) as typeof actual.lookup;
  return { ...actual, lookup, default: { ...actual, lookup } };
});

const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

const types = await otlpTypes();
const body = () => encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 5, errorRate: 0, seed: 3 }));

function post(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body();
    const req = httpRequest(
      { host, port, path: '/v1/traces', method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': String(payload.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe.skipIf(!ipv6Loopback)('OTLP/HTTP receiver on a name with two addresses', () => {
  let receiver: OtlpHttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
  });

  it('answers on both, on one port', async () => {
    const consumer = createRecordingConsumer();
    receiver = createOtlpHttpReceiver({ endpoint: `${TWO_ADDRESSES}:0` }, consumer);
    const { port } = await receiver.start();
    await expect(post('127.0.0.1', port)).resolves.toBe(200);
    await expect(post('::1', port)).resolves.toBe(200);
    expect(consumer.batches).toHaveLength(2);
  });

  it('stops only once an export in flight on the second address is answered', async () => {
    const consumer = createRecordingConsumer();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    receiver = createOtlpHttpReceiver({ endpoint: `${TWO_ADDRESSES}:0`, shutdownTimeoutMs: 30_000 }, {
      ...consumer,
      consume: async (batch) => {
        arrived();
        await released;
        await consumer.consume(batch);
      },
    });
    const { port } = await receiver.start();
    const answer = post('::1', port);
    await inFlight;

    let stopped = false;
    const stopping = receiver.stop().then(() => (stopped = true));
    // The export is held by the consumer: nothing can let the stop finish before it is released.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();
    await expect(answer).resolves.toBe(200);
    await stopping;
    expect(consumer.batches).toHaveLength(1);
  });

  it('binds nothing when stopped while starting', async () => {
    receiver = createOtlpHttpReceiver({ endpoint: `${TWO_ADDRESSES}:0` }, createRecordingConsumer());
    const starting = receiver.start();
    await receiver.stop();
    await expect(starting).rejects.toThrow(/stopped while starting/);
  });
});
