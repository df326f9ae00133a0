import { connect, createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyConnectionStart, createProtocolSniffer, SNIFF_LENGTH, type ConnectionProtocol } from './protocol-sniffer.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH', 'CONNECT', 'TRACE', 'PRI', 'M-SEARCH', 'UPDATEREDIRECTREF'];
const TLS_CLIENT_HELLO_START = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

/** The decision a sniffer reaches when `bytes` arrive in `cuts`-sized pieces: the first defined classification. */
function classifyInPieces(bytes: Uint8Array, cuts: readonly number[]): ReturnType<typeof classifyConnectionStart> {
  let end = 0;
  for (const cut of [...cuts, bytes.length]) {
    end = Math.min(bytes.length, end + Math.max(1, cut));
    const decided = classifyConnectionStart(bytes.subarray(0, end));
    if (decided !== undefined) return decided;
    if (end === bytes.length) return undefined;
  }
  return undefined;
}

describe('classifyConnectionStart', () => {
  it('knows the HTTP/2 preface, request lines, TLS and garbage', () => {
    expect(classifyConnectionStart(Buffer.concat([PREFACE, Buffer.from([0, 0, 0x12, 4])]))).toBe('http2');
    expect(classifyConnectionStart(Buffer.from('POST /v1/traces HTTP/1.1\r\n'))).toBe('http1');
    expect(classifyConnectionStart(Buffer.from('GET / HTTP/1.0\r\n'))).toBe('http1');
    // "PRI " is a method too until the preface and the request line part ways.
    expect(classifyConnectionStart(Buffer.from('PRI * HTTP/1.1\r\n'))).toBe('http1');
    expect(classifyConnectionStart(TLS_CLIENT_HELLO_START)).toBe('tls');
    expect(classifyConnectionStart(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'))).toBe('unknown');
    expect(classifyConnectionStart(Buffer.from(' GET /'))).toBe('unknown');
    expect(classifyConnectionStart(Buffer.from('get / HTTP/1.1'))).toBe('unknown');
    expect(classifyConnectionStart(Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ /'))).toBe('unknown');
  });

  it('waits while the bytes could still be either', () => {
    expect(classifyConnectionStart(Buffer.alloc(0))).toBeUndefined();
    expect(classifyConnectionStart(PREFACE.subarray(0, 23))).toBeUndefined();
    expect(classifyConnectionStart(Buffer.from('POS'))).toBeUndefined();
    expect(classifyConnectionStart(Buffer.from('PRI * HTTP/'))).toBeUndefined();
  });

  it('property: the preface followed by anything is HTTP/2', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => classifyConnectionStart(Buffer.concat([PREFACE, rest])) === 'http2'));
  });

  it('property: a method, a space and anything is HTTP/1.x (PRI: unless it is still the preface)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...METHODS.filter((method) => method !== 'PRI')), fc.uint8Array({ maxLength: 64 }), (method, rest) => {
        const bytes = Buffer.concat([Buffer.from(`${method} `), rest]);
        return classifyConnectionStart(bytes) === 'http1';
      }),
    );
  });

  it('property: any bytes are decided within SNIFF_LENGTH, and the decision never changes as bytes arrive', () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.nat({ max: SNIFF_LENGTH }), fc.uint8Array({ maxLength: 40 })).map(([keep, rest]) => Buffer.concat([PREFACE.subarray(0, keep), rest])),
      fc.tuple(fc.constantFrom(...METHODS), fc.uint8Array({ maxLength: 40 })).map(([method, rest]) => Buffer.concat([Buffer.from(method), rest])),
    );
    fc.assert(
      fc.property(bytesArb, fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 30 }), (bytes, cuts) => {
        const whole = classifyConnectionStart(bytes);
        if (bytes.length >= SNIFF_LENGTH) expect(whole).toBeDefined();
        // Arriving piecemeal reaches the same decision as arriving at once.
        expect(classifyInPieces(bytes, cuts)).toBe(whole);
        if (whole !== undefined) {
          for (let length = 1; length <= bytes.length; length++) {
            const early = classifyConnectionStart(bytes.subarray(0, length));
            if (early !== undefined) expect(early).toBe(whole);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('createProtocolSniffer on real sockets', () => {
  let server: Server | undefined;
  const clients: Socket[] = [];
  afterEach(async () => {
    for (const client of clients) client.destroy();
    clients.length = 0;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  interface Dispatched {
    protocol: ConnectionProtocol;
    bytes: number;
    /** What the next owner reads from the socket: the connection from its first byte. */
    read: Promise<Buffer>;
    socket: Socket;
  }

  interface Sniffing {
    port: number;
    /** The next connection dispatched. */
    next: () => Promise<Dispatched>;
    /** Resolves once the server has accepted a connection (and handed it to the sniffer). */
    accepted: Promise<void>;
    sniffer: ReturnType<typeof createProtocolSniffer>;
  }

  async function sniffing(timeoutMs = 10_000): Promise<Sniffing> {
    const waiting: ((dispatched: Dispatched) => void)[] = [];
    const ready: Dispatched[] = [];
    const sniffer = createProtocolSniffer({
      timeoutMs,
      dispatch(protocol, socket, bytes) {
        const read = new Promise<Buffer>((resolve) => {
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('error', () => {});
          socket.once('close', () => resolve(Buffer.concat(chunks)));
          socket.resume();
        });
        const dispatched = { protocol, bytes, read, socket };
        const waiter = waiting.shift();
        if (waiter) waiter(dispatched);
        else ready.push(dispatched);
      },
    });
    let onAccepted: () => void = () => {};
    const accepted = new Promise<void>((resolve) => (onAccepted = resolve));
    server = createServer((socket) => {
      sniffer.accept(socket);
      onAccepted();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const next = () => new Promise<Dispatched>((resolve) => (ready.length > 0 ? resolve(ready.shift()!) : waiting.push(resolve)));
    return { port, next, accepted, sniffer };
  }

  function client(port: number): Promise<Socket> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', () => {});
      clients.push(socket);
    });
  }

  it('hands each connection on with every byte it sent, however the first bytes were split', async () => {
    const { port, next } = await sniffing();
    const body = Buffer.concat([PREFACE, Buffer.from('after the preface')]);
    const socket = await client(port);
    // One byte at a time through the preface: the sniffer waits, then pushes everything back.
    for (let at = 0; at < body.length; at++) {
      socket.write(body.subarray(at, at + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const dispatched = await next();
    expect(dispatched.protocol).toBe('http2');
    expect(dispatched.bytes).toBeLessThanOrEqual(body.length);
    socket.end();
    expect((await dispatched.read).equals(body)).toBe(true);

    const http = await client(port);
    http.end('POST /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await next();
    expect(second.protocol).toBe('http1');
    expect((await second.read).toString()).toBe('POST /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n');
  });

  it('reports TLS and garbage with their socket still open, for the owner to close', async () => {
    const { port, next } = await sniffing();
    (await client(port)).write(TLS_CLIENT_HELLO_START);
    const tls = await next();
    expect(tls.protocol).toBe('tls');
    expect(tls.socket.destroyed).toBe(false);
    tls.socket.destroy();
    (await client(port)).write('\u0000\u0001garbage');
    expect((await next()).protocol).toBe('unknown');
  });

  it('gives up on a connection that does not say enough in time', async () => {
    const { port, next } = await sniffing(50);
    (await client(port)).write('POS');
    const silent = await next();
    expect(silent).toMatchObject({ protocol: 'none', bytes: 3 });
    expect(silent.socket.destroyed).toBe(false);
  });

  it('hands on a connection closed before it said anything as none, already closed', async () => {
    const { port, next } = await sniffing();
    (await client(port)).end();
    const probe = await next();
    expect(probe.protocol).toBe('none');
    expect(probe.bytes).toBe(0);
  });

  it('destroys connections still being sniffed at shutdown', async () => {
    const { port, next, accepted, sniffer } = await sniffing();
    (await client(port)).write('PRI * HT');
    await accepted;
    sniffer.destroyPending();
    const closed = await next();
    expect(closed.protocol).toBe('none');
    expect(closed.socket.destroyed).toBe(true);
  });
});
