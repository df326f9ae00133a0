// The gateway over a real daemon (started in this process, reached through its control socket as the dashboard command
// reaches it): the page and its headers, the JSON routes and their errors, the cross-site and DNS-rebinding defences,
// token logins with viewer and operator roles, a bind other machines can reach, and the event stream's resume ids.
// (The browser's side is test/e2e/dashboard*.test.ts.)

import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlClient } from '../../api/client.js';
import { silentLogger } from '../../common/logger.js';
import { packageRoot } from '../../common/package-root.js';
import { parseConfig } from '../../daemon/config.js';
import { startDaemon, type Daemon } from '../../daemon/serve.js';
import { connectControl } from '../client.js';
import { parseEventId } from './sse.js';
import { startWebGateway, type WebGateway } from './web-gateway.js';

const ASSETS = join(packageRoot(), 'dist', 'web');
const ALICE = 'alice-operator-token-0123456789';
const WALL = 'wall-viewer-token-0123456789ab';

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One request as a browser (or anyone) could send it: every header ours to choose, Host included. */
function request(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { host: url.host, ...options.headers } },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An SSE stream: frames as they come, parsed. */
function openStream(base: string, headers: Record<string, string> = {}, query = '') {
  const url = new URL(`/api/events${query}`, base);
  const frames: Array<{ event: string; id: string | undefined; data: any }> = [];
  let buffer = '';
  let close: () => void = () => undefined;
  const ready = new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host: url.host, ...headers } }, (res) => {
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = [...frame.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (data === '') continue;
          frames.push({ event: /^event: (.*)$/m.exec(frame)?.[1] ?? 'message', id: /^id: (.*)$/m.exec(frame)?.[1], data: JSON.parse(data) });
        }
      });
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  const waitFor = async (predicate: (frame: (typeof frames)[number]) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = frames.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no such frame in ${JSON.stringify(frames.map((f) => f.data?.change?.type ?? f.event))}`);
  };
  return { frames, ready, close: () => close(), waitFor };
}

const json = (reply: Reply) => JSON.parse(reply.body);

describe('the web gateway', () => {
  let workspace: string;
  let daemon: Daemon;
  let client: ControlClient;
  let open: WebGateway;
  let locked: WebGateway;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'firewatch-gateway-'));
    const config = parseConfig(
      [
        'receivers: { otlp: { protocols: { grpc: { endpoint: 127.0.0.1:0 } } } }',
        `storage: { directory: ${JSON.stringify(join(workspace, 'data'))} }`,
        'service: { telemetry: { metrics: { level: none } } }',
      ].join('\n'),
      {},
    );
    daemon = await startDaemon(config, { logger: silentLogger });
    client = connectControl(daemon.socketPath);
    open = await startWebGateway({ members: [client], endpoint: '127.0.0.1:0', assetsDirectory: ASSETS });
    locked = await startWebGateway({
      members: [client],
      endpoint: '127.0.0.1:0',
      assetsDirectory: ASSETS,
      tokens: [
        { name: 'alice', role: 'operator', secret: ALICE },
        { name: 'wall', role: 'viewer', secret: WALL },
      ],
    });
    await client.createIncident({ actor: 'test', incident_type: 'error_burst', severity: 'high', components: ['checkout'] });
  });

  afterAll(async () => {
    await open?.stop();
    await locked?.stop();
    client?.close();
    await daemon?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('serves the page under a strict policy, at every screen’s address, compressed', async () => {
    const page = await request(open.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(page.body).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script
    for (const path of ['/incidents', '/incidents/inc_00001', '/incidents/d2/inc_00001', '/traces/abc', '/components', '/rules', '/silences', '/notifications', '/help']) {
      expect((await request(open.url, 'GET', path)).body).toBe(page.body);
    }
    expect((await request(open.url, 'GET', '/index.html')).status).toBe(404);
    expect((await request(open.url, 'GET', '/../../etc/passwd')).status).toBe(404);
    expect((await request(open.url, 'POST', '/')).status).toBe(405);
    const script = await request(open.url, 'GET', '/assets/app.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await request(open.url, 'GET', '/assets/app.js', { headers: { 'if-none-match': String(script.headers.etag) } })).status).toBe(304);
  });

  it('answers the page’s reads from the daemon, per daemon for lists, failures with their kind', async () => {
    const list = json(await request(open.url, 'GET', '/api/incidents?status=active&severity=high'));
    expect(list.members).toHaveLength(1);
    expect(list.members[0]).toMatchObject({ member: 0, daemon_id: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(list.members[0].page.incidents.map((i: { incident_id: string }) => i.incident_id)).toEqual(['inc_00001']);
    expect(json(await request(open.url, 'GET', '/api/incidents?severity=low')).members[0].page.incidents).toEqual([]);
    const incident = json(await request(open.url, 'GET', '/api/incidents/inc_00001?timeline=1&audit=1'));
    expect(incident).toMatchObject({ incident_id: 'inc_00001', severity: 'high', timeline: [], audit: expect.any(Array) });
    expect(json(await request(open.url, 'GET', '/api/stats')).members[0].stats.total_incidents).toBe(1);
    expect(json(await request(open.url, 'GET', '/api/rules')).length).toBeGreaterThanOrEqual(7);

    const missing = await request(open.url, 'GET', '/api/incidents/inc_09999');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ error: expect.stringContaining('inc_09999'), kind: 'not_found' });
    expect((await request(open.url, 'GET', '/api/incidents/%3Cscript%3E')).status).toBe(400);
    expect((await request(open.url, 'GET', '/api/traces/not-a-trace')).status).toBe(400);
    expect((await request(open.url, 'GET', '/api/traces/' + 'ab'.repeat(16))).status).toBe(404);
    expect((await request(open.url, 'GET', '/api/nothing')).status).toBe(404);
    expect((await request(open.url, 'PUT', '/api/incidents')).status).toBe(405);
    const download = await request(open.url, 'GET', '/api/incidents/inc_00001/postmortem.md');
    expect(download.headers['content-disposition']).toBe('attachment; filename="inc_00001-postmortem-draft.md"');
    expect(download.body).toMatch(/^# /);
  });

  it('takes changes only from its own page: same origin, JSON, and a name for who acts', async () => {
    const origin = open.url.replace(/\/$/, '');
    const ack = (headers: Record<string, string>, body = '{"actor":"ann"}') => request(open.url, 'POST', '/api/incidents/inc_00001/acknowledge', { headers, body });
    const jsonType = { 'content-type': 'application/json' };

    expect((await ack(jsonType)).status).toBe(403); // no Origin: not from a page of ours
    expect(json(await ack({ ...jsonType, origin: 'http://evil.example' }))).toEqual({ error: 'cross-site request refused (its Origin is not this dashboard)', kind: 'forbidden' });
    expect((await ack({ 'content-type': 'text/plain', origin })).status).toBe(400); // what a cross-site form could send
    expect((await ack({ 'content-type': 'application/x-www-form-urlencoded', origin }, 'actor=ann')).status).toBe(400);
    expect(json(await ack({ ...jsonType, origin }, '{}')).error).toMatch(/say who you are/);
    expect((await request(open.url, 'GET', '/api/incidents/inc_00001')).body).toContain('"acknowledged":false');

    const done = await ack({ ...jsonType, 'sec-fetch-site': 'same-origin' });
    expect(done.status).toBe(200);
    expect(json(done)).toMatchObject({ acknowledged: true, acknowledged_by: 'ann' });

    // rules too: disabled and enabled again, each change under the name given
    const rule = (verb: string) => request(open.url, 'POST', `/api/rules/quality_drop/${verb}`, { headers: { ...jsonType, origin }, body: '{"actor":"ann"}' });
    expect(json(await rule('disable')).find((r: { rule_id: string }) => r.rule_id === 'quality_drop')).toMatchObject({ enabled: false });
    expect(json(await rule('enable')).find((r: { rule_id: string }) => r.rule_id === 'quality_drop')).toMatchObject({ enabled: true });
    expect((await client.getRule('quality_drop')).history?.map((change) => `${change.kind} by ${change.actor}`)).toEqual(['enable by ann', 'disable by ann']);
    expect((await request(open.url, 'POST', '/api/rules/no%20such/disable', { headers: { ...jsonType, origin }, body: '{"actor":"ann"}' })).status).toBe(400);
  });

  it('answers an open page only on its loopback name (DNS rebinding), and refuses to open one to other machines', async () => {
    const port = new URL(open.url).port;
    const rebound = await request(open.url, 'GET', '/api/incidents', { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('inc_00001');
    expect((await request(open.url, 'GET', '/', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    await expect(startWebGateway({ members: [client], endpoint: '0.0.0.0:0', assetsDirectory: ASSETS })).rejects.toThrow(
      /refusing to serve the dashboard on 0\.0\.0\.0 \(reachable from other machines\) without tokens/,
    );
  });

  it('asks for a token: viewers see, operators act under the token’s name', async () => {
    const origin = locked.url.replace(/\/$/, '');
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(locked.url, 'POST', path, { headers: { 'content-type': 'application/json', origin, ...headers }, body: JSON.stringify(body) });
    expect((await request(locked.url, 'GET', '/api/incidents')).status).toBe(401);
    expect(json(await request(locked.url, 'GET', '/api/session'))).toEqual({ login_required: true, authenticated: false, name: null, role: null });
    expect((await openStream(locked.url).ready)).toBe(401);

    const wrong = await post('/api/session', { token: 'not-the-token-000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('not-the-token');
    const viewer = await post('/api/session', { token: WALL });
    expect(json(viewer)).toEqual({ login_required: true, authenticated: true, name: 'wall', role: 'viewer' });
    const cookie = String(viewer.headers['set-cookie']);
    expect(cookie).toMatch(/^firewatch_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const session = cookie.split(';')[0]!;
    expect(json(await request(locked.url, 'GET', '/api/session', { headers: { cookie: session } }))).toMatchObject({ authenticated: true, name: 'wall', role: 'viewer' });
    expect((await request(locked.url, 'GET', '/api/incidents', { headers: { cookie: session } })).status).toBe(200);
    const refused = await post('/api/incidents/inc_00001/assign', { assignee: 'x', actor: 'x' }, { cookie: session });
    expect(refused.status).toBe(403);
    expect(json(refused).error).toBe('forbidden: wall is a viewer and may not update incident');

    const operator = String((await post('/api/session', { token: ALICE })).headers['set-cookie']).split(';')[0]!;
    const assigned = await post('/api/incidents/inc_00001/assign', { assignee: 'bob', actor: 'mallory' }, { cookie: operator });
    expect(json(assigned)).toMatchObject({ assigned_to: 'bob' });
    const history = json(await request(locked.url, 'GET', '/api/incidents/inc_00001', { headers: { cookie: operator } })).status_history;
    expect(JSON.stringify(history)).not.toContain('mallory');
    // a script with the token itself needs no cookie, and no Origin (a browser never sends a bearer token by itself)
    const scripted = await request(locked.url, 'POST', '/api/incidents/inc_00001/notes', {
      headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ notes: 'from a script' }),
    });
    expect(json(scripted).notes.at(-1)).toMatch(/alice.*from a script$/);
    // the cookie of one who logged out is worth nothing
    await request(locked.url, 'DELETE', '/api/session', { headers: { cookie: operator, origin } });
    expect((await request(locked.url, 'GET', '/api/incidents', { headers: { cookie: operator } })).status).toBe(401);
  });

  it('creates, lists and expires silences and lists notifications for the page; a viewer only reads them', async () => {
    const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(base, 'POST', path, { headers: { 'content-type': 'application/json', origin: base.replace(/\/$/, ''), ...headers }, body: JSON.stringify(body) });

    const bad = await post(open.url, '/api/silences', { actor: 'ann', component: 'checkout', comment: 'no length' });
    expect(json(bad)).toEqual({ error: 'give duration_seconds or until, one of them', kind: 'bad_request' });
    expect((await post(open.url, '/api/silences', { actor: 'ann', component: 'checkout', duration_seconds: -5, comment: 'x' })).status).toBe(400);
    const created = json(await post(open.url, '/api/silences', { actor: 'ann', component: 'checkout', incident_type: 'error_burst', duration_seconds: 3600, comment: 'CHG-1 upgrade' }));
    expect(created).toMatchObject({ component: 'checkout', incident_type: 'error_burst', created_by: 'ann', comment: 'CHG-1 upgrade', active: true });
    expect(json(await request(open.url, 'GET', '/api/silences')).map((s: { silence_id: string }) => s.silence_id)).toContain(created.silence_id);

    const expired = json(await post(open.url, `/api/silences/${created.silence_id}/expire`, { actor: 'ann' }));
    expect(expired).toMatchObject({ silence_id: created.silence_id, active: false, expired_by: 'ann' });
    expect(json(await request(open.url, 'GET', '/api/silences'))).toEqual([]);
    expect(json(await request(open.url, 'GET', '/api/silences?all=1'))[0]).toMatchObject({ silence_id: created.silence_id, active: false });
    expect((await post(open.url, '/api/silences/%3Cb%3E/expire', { actor: 'ann' })).status).toBe(400);
    expect((await post(open.url, '/api/silences/sil_09999/expire', { actor: 'ann' })).status).toBe(404);

    expect(json(await request(open.url, 'GET', '/api/notifications?dead=1'))).toEqual([]);
    expect(json(await post(open.url, '/api/notifications/retry', { actor: 'ann', all_dead: true }))).toEqual([]);
    expect((await post(open.url, '/api/notifications/ntf_nothing_triggered_1/drop', { actor: 'ann' })).status).toBe(404);

    const viewer = String((await post(locked.url, '/api/session', { token: WALL })).headers['set-cookie']).split(';')[0]!;
    expect((await request(locked.url, 'GET', '/api/silences?all=1', { headers: { cookie: viewer } })).status).toBe(200);
    expect((await request(locked.url, 'GET', '/api/notifications', { headers: { cookie: viewer } })).status).toBe(200);
    const refused = await post(locked.url, '/api/silences', { component: 'checkout', duration_seconds: 60, comment: 'x' }, { cookie: viewer });
    expect(refused.status).toBe(403);
    expect((await post(locked.url, '/api/notifications/retry', { all_dead: true }, { cookie: viewer })).status).toBe(403);
  });

  it('streams changes with resume ids, and a page that comes back gets only what it missed', async () => {
    const first = openStream(open.url);
    expect(await first.ready).toBe(200);
    const snapshot = await first.waitFor((frame) => frame.data?.change?.type === 'resynced');
    expect(snapshot.data.change.incidents.map((i: { incident_id: string }) => i.incident_id)).toContain('inc_00001');
    const [point] = parseEventId(snapshot.id);
    expect(point!.daemon_id).toBe(snapshot.data.change.daemon_id);

    await client.updateIncident({ incident_id: 'inc_00001', notes: 'one', actor: 'ann' });
    const one = await first.waitFor((frame) => frame.data?.change?.type === 'update' && / one$/.test(frame.data.change.update.incident.notes.at(-1)));
    first.close();
    await client.updateIncident({ incident_id: 'inc_00001', notes: 'two', actor: 'ann' });
    await client.updateIncident({ incident_id: 'inc_00001', notes: 'three', actor: 'ann' });

    const back = openStream(open.url, { 'last-event-id': one.id! });
    await back.waitFor((frame) => / three$/.test(frame.data?.change?.update?.incident.notes.at(-1)));
    const updates = back.frames.filter((frame) => frame.event === 'change' && frame.data.change.type !== 'connected');
    expect(updates.map((frame) => frame.data.change.type)).toEqual(['update', 'update']);
    expect(updates.map((frame) => frame.data.change.update.incident.notes.at(-1))).toEqual([expect.stringMatching(/ two$/), expect.stringMatching(/ three$/)]);
    expect(parseEventId(updates[1]!.id)[0]!.seq).toBe(parseEventId(one.id)[0]!.seq + 2);
    back.close();

    // the id also comes as a query parameter (a page that opens a new stream itself)
    const query = openStream(open.url, {}, `?last_event_id=${encodeURIComponent(updates[1]!.id!)}`);
    await query.ready;
    await new Promise((r) => setTimeout(r, 200));
    expect(query.frames.filter((frame) => frame.event === 'change' && frame.data.change.type !== 'connected')).toEqual([]);
    query.close();
  });
});
