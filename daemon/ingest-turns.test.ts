import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { IngestTurns } from './ingest-turns.js';

describe('IngestTurns', () => {
  it('runs jobs in order, polling for I/O between two turns once a turn has used its budget', async () => {
    // A loopback connection: what one ingest writes is readable at the loop's next poll.
    let received: (chunk: Buffer) => void = () => {};
    const server = createServer((socket) => socket.on('data', (chunk) => received(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const log: string[] = [];
    received = (chunk) => log.push(`read ${chunk.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the server side is set up
    try {
      // A budget of 0: every turn runs one job.
      const turns = new IngestTurns(0);
      const callers = [1, 2, 3].map((n) =>
        turns.run(() => {
          log.push(`ingest ${n}`);
          client.write(String(n));
          return n;
        }),
      );
      expect(turns.queued).toBe(3);
      expect(await Promise.all(callers)).toEqual([1, 2, 3]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(log).toEqual(['ingest 1', 'read 1', 'ingest 2', 'read 2', 'ingest 3', 'read 3']);
      expect(turns.queued).toBe(0);
    } finally {
      client.destroy();
      server.close();
    }
  });

  it('runs as many jobs in one turn as fit its budget, passes errors on, and keeps going after it ran dry', async () => {
    const turns = new IngestTurns(60_000);
    const order: number[] = [];
    const results = await Promise.allSettled([
      turns.run(() => order.push(1)),
      turns.run(() => {
        throw new Error('deadline');
      }),
      turns.run(() => order.push(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(order).toEqual([1, 3]);
    expect(await turns.run(() => 'again')).toBe('again');
    expect(turns.queued).toBe(0);
  });
});
