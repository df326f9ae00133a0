// TLS terminated on accepted sockets: what a refused connection is reported as, and that a reload (SIGHUP) which adds
// or removes client_ca_file changes whether client certificates are required for the next connections.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../test/helpers/tls.js';
import { createTlsTerminator, type TlsServerIdentity, type TlsTerminator } from './tls-terminator.js';

describe('TLS terminator', () => {
  let directory: string;
  let pki: TestPki;
  let listener: Server | undefined;
  const failures: string[] = [];
  const secured: tls.TLSSocket[] = [];

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-tls-'));
    pki = makeTestPki(directory);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  afterEach(() => {
    listener?.close();
    listener = undefined;
    failures.length = 0;
    for (const socket of secured.splice(0)) socket.destroy();
  });

  const identity = (mutual: boolean): TlsServerIdentity => ({
    cert: readFileSync(pki.certFile),
    key: readFileSync(pki.keyFile),
    ...(mutual ? { clientCa: pki.ca } : {}),
  });

  async function serve(mutual: boolean, handshakeTimeoutMs?: number): Promise<{ port: number; terminator: TlsTerminator }> {
    const terminator = createTlsTerminator({
      identity: identity(mutual),
      alpnProtocols: ['h2', 'http/1.1'],
      ...(handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs }),
      next: (socket) => {
        secured.push(socket);
        socket.end('welcome');
      },
      onHandshakeFailure: (_socket, reason) => failures.push(reason),
    });
    listener = createServer((socket) => terminator.accept(socket));
    await new Promise<void>((resolve) => listener!.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    return { port: typeof address === 'object' && address !== null ? address.port : 0, terminator };
  }

  /** A TLS client trusting the test CA; resolves with what the server said, or the error that ended it. */
  function talk(port: number, withCertificate: boolean): Promise<string> {
    return new Promise((resolve) => {
      const client = tls.connect({
        host: '127.0.0.1',
        port,
        ca: pki.ca,
        servername: 'localhost',
        ...(withCertificate ? { cert: readFileSync(pki.clientCertFile), key: readFileSync(pki.clientKeyFile) } : {}),
      });
      let said = '';
      client.on('data', (chunk: Buffer) => (said += chunk.toString()));
      client.on('error', (error) => resolve(`error: ${error.message}`));
      client.on('close', () => resolve(said));
    });
  }

  async function until(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('hands secure connections on and reports plain HTTP on the TLS port', async () => {
    const { port } = await serve(false);
    expect(await talk(port, false)).toBe('welcome');
    const plain: Socket = connectTcp(port, '127.0.0.1', () => plain.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n'));
    plain.on('error', () => undefined);
    await until(() => failures.length === 1);
    expect(failures[0]).toBe('plain HTTP on a TLS port (use https:// and the CA)');
  });

  it('requires a client certificate once a reload names a client CA, and stops once a reload drops it', async () => {
    const { port, terminator } = await serve(false);
    expect(await talk(port, false)).toBe('welcome');
    terminator.reload(identity(true));
    expect(await talk(port, false)).not.toBe('welcome');
    await until(() => failures.length === 1);
    expect(failures[0]).toBe('no client certificate (mutual TLS is required)');
    expect(await talk(port, true)).toBe('welcome');
    terminator.reload(identity(false));
    expect(await talk(port, false)).toBe('welcome');
  });

  it('closes a connection that does not finish its handshake in time', async () => {
    const { port } = await serve(false, 200);
    const silent = connectTcp(port, '127.0.0.1');
    silent.on('error', () => undefined);
    await until(() => failures.length === 1);
    expect(failures[0]).toBe('no TLS handshake in time');
    await until(() => silent.destroyed || silent.readableEnded);
    silent.destroy();
  });

  it('answers random bytes on the TLS port by closing the connection, and keeps serving', async () => {
    const { port } = await serve(true, 1_000);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4_096 }), async (bytes) => {
        const before = failures.length;
        const closed = await new Promise<boolean>((resolve) => {
          const socket = connectTcp(port, '127.0.0.1', () => socket.end(Buffer.from(bytes)));
          socket.on('error', () => undefined);
          socket.on('data', () => undefined);
          socket.on('close', () => resolve(true));
        });
        expect(closed).toBe(true);
        await until(() => failures.length > before);
        expect(secured).toHaveLength(0);
      }),
      { numRuns: 60 },
    );
    expect(await talk(port, true)).toBe('welcome');
  }, 60_000);
});
