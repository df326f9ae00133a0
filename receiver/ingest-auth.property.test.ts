// The authorization header is untrusted input on both receivers: whatever a sender puts there, only an exact
// `Bearer <configured token>` gets an export in; everything else is answered UNAUTHENTICATED / 401 with nothing
// decoded or consumed, the token never echoed, and the receiver keeps serving. Pure parsing first, then the real
// receivers over loopback.

import { request as httpRequest } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, TokenTable } from '../common/bearer-tokens.js';
import { createOtlpGrpcReceiver, TRACE_EXPORT_PATH, type OtlpGrpcReceiver } from './grpc-receiver.js';
import { createOtlpHttpReceiver, type OtlpHttpReceiver } from './http-receiver.js';
import { ingestRefusal, ingestTokens, type IngestAuth } from './ingest-auth.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { createRecordingConsumer, type RecordingConsumer } from '../test/helpers/receiver/recording-consumer.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';

const TOKEN = 'tok-3f9a1c7e5b2d4a6f8e0c';
const OTHER = 'tok-other-0123456789ab';
const auth: IngestAuth = { tokens: ingestTokens([TOKEN, OTHER]) };
const body = encodeWith(otlpTypes().TraceRequest, realisticTraceRequest({ spans: 3, errorRate: 0, seed: 4 }));

/** Headers a hostile or confused sender might send: noise, near misses of the real token, other schemes. */
const headerArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('Bearer', 'bearer', 'Basic', 'Token', '', ' ').chain((scheme) =>
    fc
      .oneof(
        fc.constantFrom(TOKEN, OTHER, `${TOKEN}  `),
        fc.constant(TOKEN.slice(0, -1)),
        fc.constant(`${TOKEN}x`),
        fc.constant(TOKEN.toUpperCase()),
        fc.constant(`${TOKEN} ${TOKEN}`),
        fc.string({ maxLength: 40 }),
      )
      .map((token) => `${scheme} ${token}`),
  ),
);

/** What the receivers must do with a header: let in exactly the configured tokens under the Bearer scheme. */
function shouldAdmit(header: string): boolean {
  const match = /^bearer[ \t]\s*(\S+)\s*$/i.exec(header);
  return match !== null && (match[1] === TOKEN || match[1] === OTHER);
}

describe('bearer token parsing', () => {
  it('takes the token only from "<scheme> <token>", never throws, and matches only configured tokens', () => {
    const table = new TokenTable([{ secret: TOKEN, principal: 'a' }]);
    fc.assert(
      fc.property(fc.oneof(headerArbitrary, fc.anything()), (header) => {
        const token = bearerToken(header);
        if (token !== undefined) {
          expect(typeof header).toBe('string');
          expect(token).not.toMatch(/\s/);
          expect((header as string).toLowerCase().startsWith('bearer')).toBe(true);
        }
        const principal = token === undefined ? undefined : table.match(token);
        expect(principal === 'a').toBe(token === TOKEN);
        const refusal = ingestRefusal(auth, header);
        expect(refusal).not.toContain(TOKEN);
        if (typeof header === 'string') expect(refusal === '').toBe(shouldAdmit(header));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses headers past 8 KiB without looking further', () => {
    expect(bearerToken(`Bearer ${'a'.repeat(9_000)}`)).toBeUndefined();
  });
});

describe('receivers with bearertokenauth, random authorization headers', () => {
  let consumer: RecordingConsumer;
  let grpcReceiver: OtlpGrpcReceiver;
  let httpReceiver: OtlpHttpReceiver;
  let grpcClient: grpc.Client;
  let httpPort: number;

  beforeAll(async () => {
    consumer = createRecordingConsumer();
    grpcReceiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0', auth }, consumer);
    httpReceiver = createOtlpHttpReceiver({ endpoint: '127.0.0.1:0', auth }, consumer);
    const grpcPort = (await grpcReceiver.start()).port;
    httpPort = (await httpReceiver.start()).port;
    grpcClient = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    grpcClient.close();
    await Promise.all([grpcReceiver.stop(), httpReceiver.stop()]);
  });

  function overGrpc(header: string): Promise<grpc.status> {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', header);
    return new Promise((resolve) => {
      grpcClient.makeUnaryRequest(TRACE_EXPORT_PATH, (v: Buffer) => v, (v: Buffer) => v, body, metadata, (error) => resolve(error?.code ?? grpc.status.OK));
    });
  }

  function overHttp(header: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: httpPort,
          path: '/v1/traces',
          method: 'POST',
          headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': String(body.length), Authorization: header },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('latin1') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Header values both clients put on the wire as they are (they refuse control characters and non-ASCII themselves;
   * node:http strips surrounding blanks, gRPC metadata does not).
   */
  const sendable = headerArbitrary.filter((header) => /^[\x20-\x7e]*$/.test(header) && header !== '' && header === header.trim());

  it('admits exactly the configured tokens, consumes nothing of the others, echoes no token, and keeps serving', async () => {
    let admitted = 0;
    await fc.assert(
      fc.asyncProperty(sendable, async (header) => {
        const before = consumer.batches.length;
        const admit = shouldAdmit(header);
        if (admit) admitted += 1;
        const grpcCode = await overGrpc(header);
        expect(grpcCode).toBe(admit ? grpc.status.OK : grpc.status.UNAUTHENTICATED);
        const http = await overHttp(header);
        expect(http.status).toBe(admit ? 200 : 401);
        expect(http.text).not.toContain(TOKEN);
        expect(consumer.batches.length - before).toBe(admit ? 2 : 0);
      }),
      // The configured tokens under either spelling of the scheme, always: drawn at random, a run of 150 sometimes
      // met none of them, and the check below failed (CI, once this stop).
      { numRuns: 150, examples: [[`Bearer ${TOKEN}`], [`bearer ${OTHER}`]] },
    );
    expect(admitted).toBeGreaterThan(0); // the property saw both sides
    expect(await overGrpc(`Bearer ${TOKEN}`)).toBe(grpc.status.OK);
    expect((await overHttp(`bearer ${OTHER}`)).status).toBe(200);
  }, 60_000);
});
