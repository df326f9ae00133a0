import { lookup } from 'node:dns/promises';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnEndpoint, type TcpListener } from './tcp-listener.js';
import { serversOn } from '../test/helpers/receiver/active-servers.js';

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('listenOnEndpoint', () => {
  let listener: TcpListener | undefined;
  afterEach(() => {
    listener?.close();
    listener = undefined;
  });

  it('binds every address a name resolves to, on one port (port 0 picks it)', async () => {
    const addresses = (await lookup('localhost', { all: true })).map((found) => found.address);
    listener = await listenOnEndpoint('localhost:0', (socket) => socket.destroy());
    expect(listener.port).toBeGreaterThan(0);
    for (const address of addresses) expect(await connects(address, listener.port), address).toBe(true);
  });

  it('keeps listening after an accept error (an uncaught one would end the process)', async () => {
    listener = await listenOnEndpoint('127.0.0.1:0', (socket) => socket.destroy());
    const servers = serversOn(listener.port);
    expect(servers).toHaveLength(1);
    expect(() => servers[0]!.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS' }))).not.toThrow();
    expect(await connects('127.0.0.1', listener.port)).toBe(true);
  });

  it('refuses a port in use, naming the endpoint', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(listenOnEndpoint(`127.0.0.1:${port}`, () => {})).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      taken.close();
    }
  });

  it('refuses a host that does not resolve', async () => {
    await expect(listenOnEndpoint('no-such-host.invalid:0', () => {})).rejects.toThrow(/^cannot listen on no-such-host\.invalid:0: /);
  });
});
