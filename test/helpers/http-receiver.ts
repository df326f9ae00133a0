// A real HTTP server on 127.0.0.1 standing in for a notification endpoint (Slack, PagerDuty, a webhook receiver):
// it records every request and answers as the test scripts.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP receiver whose answers the test scripts: `respond` gets the request number (1-based). */
export class Receiver {
  readonly requests: Received[] = [];
  respond: (n: number, request: Received) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 });
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const received = { path: req.url ?? '', headers: req.headers, body };
      this.requests.push(received);
      const answer = this.respond(this.requests.length, received);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.status < 300 ? '{"status":"success"}' : '{"status":"error"}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  json(): Array<Record<string, unknown>> {
    return this.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
