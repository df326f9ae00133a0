import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHttp, httpBody, runHttp, summarizeHttp } from './http-runner.js';
import { testIncident } from '../test/helpers/respond-fixtures.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null,
      });
      if (request.url?.startsWith('/ok')) response.writeHead(202).end('accepted');
      else if (request.url?.startsWith('/down')) response.writeHead(503).end('secret internal detail');
      else if (request.url?.startsWith('/moved')) response.writeHead(302, { location: 'http://elsewhere.invalid/' }).end();
      else if (request.url?.startsWith('/slow')) setTimeout(() => response.writeHead(200).end(), 2000);
      else response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const incident = testIncident({ title: 'Error "Burst"\n; rm -rf /' });

describe('runHttp', () => {
  it('posts the incident as JSON with the configured headers; 2xx succeeds', async () => {
    // act
    const result = await runHttp({
      actionId: 'restart_service',
      effect: { url: `${base}/ok/restart?token=s3cret`, method: 'POST', headers: { Authorization: 'Bearer t0ken', 'X-Team': 'sre' } },
      body: httpBody(incident, 'restart_service'),
      timeoutMs: 2000,
    });
    // verify
    expect(result).toMatchObject({ kind: 'succeeded', status: 202 });
    expect(result.detail).toMatch(/^HTTP 202 from restart_service endpoint in \d+ ms$/);
    const request = seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/ok/restart?token=s3cret');
    expect(request.headers.authorization).toBe('Bearer t0ken');
    expect(request.headers['x-team']).toBe('sre');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      incident_id: 'inc_00001',
      incident_type: 'error_burst',
      severity: 'high',
      title: 'Error "Burst"\n; rm -rf /',
      primary_source: 'checkout',
      affected_components: ['checkout', 'payments'],
      action_id: 'restart_service',
    });
  });

  it('a non-2xx answer fails with the status only: no URL, header or body', async () => {
    const result = await runHttp({
      actionId: 'restart_service',
      effect: { url: `${base}/down?token=s3cret`, method: 'PUT', headers: { Authorization: 'Bearer t0ken' } },
      body: httpBody(incident, 'restart_service'),
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ kind: 'failed', status: 503 });
    expect(result.detail).toMatch(/^HTTP 503 from restart_service endpoint in \d+ ms$/);
    expect(seen.at(-1)!.method).toBe('PUT');
  });

  it('does not follow redirects', async () => {
    const result = await runHttp({
      actionId: 'scale_up',
      effect: { url: `${base}/moved`, method: 'POST', headers: { Authorization: 'Bearer t0ken' } },
      body: httpBody(incident, 'scale_up'),
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ kind: 'failed', status: 302 });
  });

  it('times out', async () => {
    const result = await runHttp({
      actionId: 'scale_up',
      effect: { url: `${base}/slow`, method: 'POST', headers: {} },
      body: httpBody(incident, 'scale_up'),
      timeoutMs: 100,
    });
    expect(result.kind).toBe('timed_out');
    expect(result.detail).toBe('no answer from scale_up endpoint within 100 ms');
  });

  it('a refused connection fails with the error code only', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runHttp({
      actionId: 'scale_up',
      effect: { url: `http://127.0.0.1:${port}/x?token=s3cret`, method: 'POST', headers: {} },
      body: httpBody(incident, 'scale_up'),
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ kind: 'failed', status: null, detail: 'request to scale_up endpoint failed: ECONNREFUSED' });
  });

  it('describes the endpoint without credentials, query or fragment', () => {
    const effect = { url: 'https://user:pw@ops.example.com:8443/v1/restart?token=s3cret#x', method: 'POST' as const, headers: {} };
    expect(describeHttp(effect)).toBe('POST https://ops.example.com:8443/v1/restart');
    expect(summarizeHttp(effect)).toBe('HTTP POST ops.example.com:8443');
  });
});
