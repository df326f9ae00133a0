// The web dashboard's gateway (DESIGN.md "The web dashboard"): an HTTP(S) server that serves the page, answers its
// JSON API with ControlClient calls, and streams every daemon's incident changes to it as server-sent events.
//
//   browser ──GET /, /incidents…, /assets/*──▶ page-assets (built by tools/build-web.ts into dist/web/)
//           ──GET|POST /api/…──▶ page-guard (host, origin, session, role) ──▶ api-routes ──▶ ControlClient(s)
//           ──GET /api/events (SSE, Last-Event-ID)──▶ live-relay ◀── fleet of sessions ◀── daemons' watch
//
// It talks to daemons only through the ControlClients it is handed (a socket or remote-door client from the CLI, the
// in-process client inside the daemon), one per daemon; it closes none of them. A daemon that goes away shows on the
// page as that daemon reconnecting: the sessions retry until it is back, and the gateway keeps serving meanwhile.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { ControlClient } from '../../api/client.js';
import { ControlError } from '../../api/errors.js';
import { formatHostPort, parseHostPort } from '../../common/endpoint.js';
import { keepListening } from '../../common/keep-listening.js';
import { oneLine } from '../../common/text.js';
import { TokenTable, authorize, bearerToken, type ControlToken, type Principal } from '../access.js';
import type { TlsIdentity } from '../door-config.js';
import { createFleet, type Fleet } from '../fleet.js';
import { createFleetClient } from '../fleet-client.js';
import { matchApiRoute, type ApiContext, type ApiReply } from './api-routes.js';
import { errorReply } from './http-status.js';
import { LiveRelay } from './live-relay.js';
import { PageAssets } from './page-assets.js';
import {
  LoginThrottle,
  SESSION_COOKIE,
  SessionStore,
  bindRefusal,
  checkHost,
  checkSameOrigin,
  readCookie,
  securityHeaders,
  sessionCookie,
} from './page-guard.js';
import { SSE_KEEPALIVE, parseEventId } from './sse.js';

export interface WebGatewayOptions {
  /** One client per daemon, in the order of --connect (a daemon's place names its incidents: d2/inc_…). */
  members: readonly ControlClient[];
  /** host:port to listen on (port 0: any free port). */
  endpoint: string;
  /** Serve HTTPS with this certificate. */
  tls?: TlsIdentity | null;
  /** The page asks for one of these (viewer: sees; operator: acts). None: an open page, loopback only. */
  tokens?: readonly ControlToken[];
  /** The built page (dist/web/). */
  assetsDirectory: string;
  /** Told of failures nobody else hears of (a page's stream that broke, an unexpected error). */
  onError?: (message: string, fields: Record<string, unknown>) => void;
  /** Updates kept per daemon for pages that reconnect. */
  ringSize?: number;
}

export interface WebGateway {
  /** Where to open it: `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** host:port actually bound. */
  readonly endpoint: string;
  /** New tokens (every page logs in again) and/or a new certificate (new connections get it). */
  reload(update: { tokens?: readonly ControlToken[]; tls?: TlsIdentity }): void;
  /** Stops serving and watching; the clients stay open (they are the caller's). */
  stop(): Promise<void>;
}

/** Largest request body (a resolution note is the biggest thing the page sends). */
const MAX_BODY_BYTES = 64 * 1024;
/** Pages streaming at once; more are asked to come back later. */
const MAX_STREAMS = 500;
/** Bytes a page's stream may fall behind before it is dropped (it reconnects and resumes or takes a snapshot). */
const MAX_STREAM_BACKLOG = 8 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;
/** What the browser waits before reconnecting a broken stream. */
const RETRY_MS = 1_000;
const MAX_ACTOR = 100;

type Identity = { principal: Principal; viaBearer: boolean } | undefined;

export async function startWebGateway(options: WebGatewayOptions): Promise<WebGateway> {
  const parsed = parseHostPort(options.endpoint);
  if (parsed === null) throw new ControlError(`the dashboard's address must be host:port, got ${JSON.stringify(options.endpoint)}`, 'bad_request');
  if (options.members.length === 0) throw new Error('the dashboard needs at least one daemon');
  const tls = options.tls ?? null;
  const tokens = new TokenTable(options.tokens ?? []);
  const refusal = bindRefusal(parsed.host, { tls: tls !== null, tokens: tokens.size });
  if (refusal !== undefined) throw new ControlError(refusal, 'forbidden');
  const assets = PageAssets.load(options.assetsDirectory);

  const relay = new LiveRelay({ addresses: options.members.map((member) => member.address), ...(options.ringSize ? { ringSize: options.ringSize } : {}) });
  const fleet: Fleet = createFleet(options.members, { onChange: (change) => relay.apply(change) });
  const context: ApiContext = { client: createFleetClient(options.members), members: options.members, relay };
  const sessions = new SessionStore();
  const throttle = new LoginThrottle();
  const headers = securityHeaders(tls !== null);
  let boundPort = parsed.port;
  const report = options.onError ?? (() => undefined);

  function send(res: ServerResponse, status: number, body: string | Buffer, extra: Record<string, string> = {}): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(status, { ...headers, ...extra });
    res.end(body);
  }

  function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
    send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra });
  }

  function sendError(res: ServerResponse, error: unknown): void {
    const { status, body } = errorReply(error);
    if (status >= 500 && body.kind === 'internal') report('dashboard request failed', { error: body.error });
    sendJson(res, status, body);
  }

  function identify(req: IncomingMessage): Identity {
    if (tokens.size === 0) return { principal: { name: '', role: 'operator' }, viaBearer: false }; // the loopback page
    const bearer = bearerToken(req.headers.authorization);
    if (bearer !== undefined) {
      const principal = tokens.match(bearer);
      return principal === undefined ? undefined : { principal, viaBearer: true };
    }
    const principal = sessions.principal(readCookie(req.headers.cookie, SESSION_COOKIE));
    return principal === undefined ? undefined : { principal, viaBearer: false };
  }

  async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const type = String(req.headers['content-type'] ?? '');
    // A form on another site can post text/plain or form encodings without asking; JSON it cannot.
    if (!/^application\/json\s*(?:;|$)/i.test(type)) throw new ControlError('send JSON (Content-Type: application/json)', 'bad_request');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new ControlError(`the request is larger than ${MAX_BODY_BYTES} bytes`, 'bad_request');
      chunks.push(chunk);
    }
    if (size === 0) return {};
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ControlError('the request body is not JSON', 'bad_request');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError('the request body must be a JSON object', 'bad_request');
    return value as Record<string, unknown>;
  }

  function sameOrigin(req: IncomingMessage): void {
    const problem = checkSameOrigin(
      { origin: req.headers.origin, host: req.headers.host, 'sec-fetch-site': req.headers['sec-fetch-site'] as string | undefined },
      tls !== null,
    );
    if (problem !== undefined) throw new ControlError(problem, 'forbidden');
  }

  async function handleSession(req: IncomingMessage, res: ServerResponse, identity: Identity): Promise<void> {
    const loginRequired = tokens.size > 0;
    if (req.method === 'GET') {
      sendJson(res, 200, {
        login_required: loginRequired,
        authenticated: identity !== undefined,
        name: identity?.principal.name ?? null,
        role: identity?.principal.role ?? null,
      });
      return;
    }
    sameOrigin(req);
    if (req.method === 'DELETE') {
      sessions.end(readCookie(req.headers.cookie, SESSION_COOKIE));
      sendJson(res, 200, { login_required: loginRequired, authenticated: !loginRequired, name: null, role: null }, { 'set-cookie': sessionCookie('', tls !== null, 0) });
      return;
    }
    if (req.method !== 'POST') throw new ControlError('use GET, POST or DELETE', 'bad_request');
    if (!loginRequired) throw new ControlError('this dashboard asks for no token', 'bad_request');
    const address = req.socket.remoteAddress ?? '';
    if (!throttle.allowed(address)) throw new ControlError('too many failed logins: wait a minute', 'exhausted');
    const body = await readJsonBody(req);
    const principal = typeof body.token === 'string' ? tokens.match(body.token.trim()) : undefined;
    if (principal === undefined) {
      throttle.failed(address);
      throw new ControlError('unauthenticated: the token is not valid', 'unauthenticated');
    }
    const id = sessions.create(principal);
    sendJson(res, 200, { login_required: true, authenticated: true, name: principal.name, role: principal.role }, { 'set-cookie': sessionCookie(id, tls !== null, sessions.idleSeconds) });
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (relay.subscriberCount >= MAX_STREAMS) throw new ControlError('too many open dashboards: try again later', 'exhausted');
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // a proxy in front must not hold events back
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const header = req.headers['last-event-id'];
    const resume = parseEventId(typeof header === 'string' ? header : url.searchParams.get('last_event_id'));
    const write = (frame: string): boolean => {
      if (res.destroyed || res.writableEnded) return false;
      res.write(frame);
      return res.writableLength <= MAX_STREAM_BACKLOG;
    };
    let keepalive: NodeJS.Timeout | undefined;
    const leave = relay.subscribe(resume, write, () => {
      clearInterval(keepalive);
      res.end();
    });
    keepalive = setInterval(() => {
      if (!write(SSE_KEEPALIVE)) res.destroy();
    }, KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      leave();
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const identity = identify(req);
    if (url.pathname === '/api/session') return handleSession(req, res, identity);
    const method = req.method ?? 'GET';
    if (url.pathname === '/api/events') {
      if (method !== 'GET') throw new ControlError('the event stream is read with GET', 'bad_request');
      if (identity === undefined) throw new ControlError('unauthenticated: log in with a token', 'unauthenticated');
      handleEvents(req, res, url);
      return;
    }
    const found = matchApiRoute(method, url.pathname);
    if (found === 'method') {
      sendJson(res, 405, { error: `${method} is not allowed here`, kind: 'bad_request' }, { allow: 'GET, POST' });
      return;
    }
    if (found === undefined) throw new ControlError(`no such API: ${url.pathname.slice(0, 100)}`, 'not_found');
    if (identity === undefined) throw new ControlError('unauthenticated: log in with a token', 'unauthenticated');
    authorize(identity.principal, found.route.call, {});
    let body: Record<string, unknown> = {};
    let actor = '';
    if (found.route.mutates) {
      // A bearer token is never sent by a browser on its own: only a cookie or an open page needs proving its origin.
      if (!identity.viaBearer) sameOrigin(req);
      body = await readJsonBody(req);
      actor = tokens.size > 0 ? identity.principal.name : oneLine(typeof body.actor === 'string' ? body.actor : '').slice(0, MAX_ACTOR);
      if (actor === '') throw new ControlError('say who you are: the page asks for your name before the first change', 'bad_request');
    }
    const reply: ApiReply = await found.route.handle(context, { params: found.params, query: url.searchParams, body, actor });
    if ('download' in reply) {
      send(res, 200, reply.download.body, {
        'content-type': reply.download.type,
        'content-disposition': `attachment; filename="${reply.download.filename}"`,
        'cache-control': 'no-store',
      });
      return;
    }
    sendJson(res, 200, reply.json);
  }

  function handleAsset(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    const asset = assets.find(url.pathname);
    if (asset === undefined) {
      send(res, 404, 'not found\n', { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    const common = { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, { ...headers, ...common });
      res.end();
      return;
    }
    const gzip = asset.gzip !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip! : asset.body;
    res.writeHead(200, { ...headers, ...common, 'content-length': String(body.length), ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    } catch {
      send(res, 400, 'bad request\n', { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    const hostProblem = checkHost(req.headers.host, boundPort, tokens.size === 0);
    if (hostProblem !== undefined) {
      send(res, 421, `${hostProblem}\n`, { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      handleAsset(req, res, url);
      return;
    }
    try {
      await handleApi(req, res, url);
    } catch (error) {
      sendError(res, error);
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      report('dashboard request failed', { error: (error as Error)?.message ?? String(error) });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error', kind: 'internal' });
      else res.destroy();
    });
  };
  const server: Server | HttpsServer = tls !== null ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, listener) : createHttpServer(listener);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(parsed.port, parsed.host, () => {
      server.off('error', reject);
      server.on('error', keepListening);
      resolveListen();
    });
  });
  const address = server.address();
  boundPort = typeof address === 'object' && address !== null ? address.port : parsed.port;
  const endpoint = formatHostPort(parsed.host, boundPort);
  fleet.start();

  let stopping: Promise<void> | undefined;
  return {
    url: `${tls !== null ? 'https' : 'http'}://${endpoint}/`,
    endpoint,
    reload(update) {
      if (update.tokens !== undefined) {
        tokens.replace(update.tokens);
        sessions.clear();
      }
      if (update.tls !== undefined && tls !== null) (server as HttpsServer).setSecureContext({ cert: update.tls.cert, key: update.tls.key });
    },
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        relay.closeAll();
        server.closeAllConnections();
        await closed;
        await fleet.close();
      })();
      return stopping;
    },
  };
}
