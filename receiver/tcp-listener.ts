// A TCP listener on a `host:port` endpoint, bound on every address the host resolves to (as grpc-js binds its own
// ports, so `localhost:4317` keeps answering both 127.0.0.1 and ::1). Port 0 picks a free port on the first
// address and reuses it on the others; an address that cannot be bound is skipped as long as one was.

import { parseHostPort } from '../common/endpoint.js';
import { keepListening } from '../common/keep-listening.js';
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';

export interface TcpListener {
  /** The port bound (the real one when the endpoint asked for port 0). */
  readonly port: number;
  /** Stops accepting; connections already accepted are their owners' to close. */
  close(): void;
}

/** The addresses `endpoint`'s host resolves to, in the resolver's order, and its port. */
async function resolveEndpoint(endpoint: string): Promise<{ addresses: string[]; port: number }> {
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

/** What binding one address gave: whatever the caller keeps of it, and the port it got. */
export interface BoundAddress<T> {
  handle: T;
  port: number;
}

/**
 * Binds every address `endpoint`'s host resolves to, in the resolver's order, all on one port: the endpoint's, or
 * the one the first bind got when it asked for port 0. `bind` is told whether it binds the first. An address that
 * cannot be bound is skipped as long as one was; rejects with `cannot listen on <endpoint>: …` when none was. Binds
 * nothing more once `stopped()` says so (what was bound is returned: the caller's to close).
 */
export async function bindEveryAddress<T>(
  endpoint: string,
  bind: (address: string, port: number, first: boolean) => Promise<BoundAddress<T>>,
  stopped: () => boolean = () => false,
): Promise<{ handles: T[]; port: number }> {
  const { addresses, port } = await resolveEndpoint(endpoint);
  const handles: T[] = [];
  let bound = port;
  let firstError: Error | undefined;
  for (const address of addresses) {
    if (stopped()) break;
    try {
      const result = await bind(address, bound, handles.length === 0);
      handles.push(result.handle);
      bound = result.port;
    } catch (error) {
      firstError ??= error as Error;
    }
  }
  if (handles.length === 0 && !stopped()) {
    throw new Error(`cannot listen on ${endpoint}: ${firstError?.message ?? 'no address to bind'}`);
  }
  return { handles, port: bound };
}

/** The port `server` listens on, or `fallback` when it cannot say. */
export function listeningPort(server: Server, fallback: number): number {
  const info = server.address();
  return typeof info === 'object' && info !== null ? info.port : fallback;
}

/** Listens on `endpoint`; rejects with `cannot listen on <endpoint>: …` when no address could be bound. */
export async function listenOnEndpoint(endpoint: string, onConnection: (socket: Socket) => void): Promise<TcpListener> {
  const { handles: servers, port } = await bindEveryAddress(endpoint, async (address, bindPort) => {
    const server = await listenOn(address, bindPort, onConnection);
    return { handle: server, port: listeningPort(server, bindPort) };
  });
  return {
    port,
    close() {
      for (const server of servers) server.close();
    },
  };
}
