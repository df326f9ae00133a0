// A TCP listener on a `host:port` endpoint, bound on every address the host resolves to (as grpc-js binds its own
// ports, so `localhost:4317` keeps answering both 127.0.0.1 and ::1). Port 0 picks a free port on the first
// address and reuses it on the others; an address that cannot be bound is skipped as long as one was.

import { parseHostPort } from '../common/endpoint.js';
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';

export interface TcpListener {
  /** The port bound (the real one when the endpoint asked for port 0). */
  readonly port: number;
  /** Stops accepting; connections already accepted are their owners' to close. */
  close(): void;
}

/** The addresses `endpoint`'s host resolves to, in the resolver's order, and its port. */
export async function resolveEndpoint(endpoint: string): Promise<{ addresses: string[]; port: number }> {
  const { host, port } = parseHostPort(endpoint)!;
  try {
    return { addresses: (await lookup(host, { all: true })).map((found) => found.address), port };
  } catch (error) {
    throw new Error(`cannot listen on ${endpoint}: ${(error as Error).message}`);
  }
}

/** A plain TCP server on one address, handing every connection it accepts to `onConnection`. */
export function listenOn(address: string, port: number, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    // noDelay as node:http and HTTP/2 servers set it on the sockets they accept themselves.
    const server = createServer({ noDelay: true }, onConnection);
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      server.on('error', keepListening);
      resolve(server);
    });
  });
}

/**
 * For 'error' on a server already listening: an accept that failed (libuv absorbs EMFILE itself; others, such as
 * ENOBUFS, come here). That one connection is lost and the server keeps accepting; without a handler the event would
 * be an uncaught exception, and a daemon under stress would exit.
 */
export function keepListening(): void {}

/** Listens on `endpoint`; rejects with `cannot listen on <endpoint>: …` when no address could be bound. */
export async function listenOnEndpoint(endpoint: string, onConnection: (socket: Socket) => void): Promise<TcpListener> {
  const { addresses, port } = await resolveEndpoint(endpoint);
  const servers: Server[] = [];
  let bound = port;
  let firstError: Error | undefined;
  for (const address of addresses) {
    try {
      const server = await listenOn(address, bound, onConnection);
      servers.push(server);
      const info = server.address();
      if (typeof info === 'object' && info !== null) bound = info.port;
    } catch (error) {
      firstError ??= error as Error;
    }
  }
  if (servers.length === 0) {
    throw new Error(`cannot listen on ${endpoint}: ${firstError?.message ?? 'no address to bind'}`);
  }
  return {
    port: bound,
    close() {
      for (const server of servers) server.close();
    },
  };
}
