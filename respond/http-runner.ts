// Runs one remediation action as an HTTP request (e.g. to an orchestrator's restart endpoint).
//
//   fetch(url, method, headers, JSON body of the incident) ──2xx──▶ succeeded · else failed · abort ──▶ timed_out
//
// The URL and headers often carry credentials, so results name the endpoint only as `<action> endpoint`; the
// dry run and the audit show `METHOD https://host/path` at most (describeHttp). Redirects are not followed: a
// redirect could carry the Authorization header elsewhere, and a remediation endpoint has no reason to move.

import { incidentValues, stripNul } from './placeholders.js';
import type { HttpEffect } from './types.js';
import { type Incident } from '../engine/index.js';

export interface HttpRequest {
  actionId: string;
  effect: HttpEffect;
  body: HttpBody;
  timeoutMs: number;
}

export interface HttpBody {
  incident_id: string;
  incident_type: string;
  severity: string;
  title: string;
  primary_source: string;
  affected_components: string[];
  action_id: string;
}

export type HttpResult =
  | { kind: 'succeeded'; status: number; duration_ms: number; detail: string }
  | { kind: 'failed'; status: number | null; duration_ms: number; detail: string }
  | { kind: 'timed_out'; status: null; duration_ms: number; detail: string };

export type RunHttp = (request: HttpRequest) => Promise<HttpResult>;

export function httpBody(incident: Incident, actionId: string): HttpBody {
  const values = incidentValues(incident);
  return {
    incident_id: values.incident_id,
    incident_type: values.incident_type,
    severity: values.severity,
    title: values.title,
    primary_source: values.primary_source,
    affected_components: incident.affected_components.map(stripNul),
    action_id: actionId,
  };
}

/** `POST https://host/path`: no credentials, query or fragment. */
export function describeHttp(effect: HttpEffect): string {
  const url = new URL(effect.url);
  return `${effect.method} ${url.protocol}//${url.host}${url.pathname}`;
}

/** `HTTP POST host`, for the list of actions. */
export function summarizeHttp(effect: HttpEffect): string {
  return `HTTP ${effect.method} ${new URL(effect.url).host}`;
}

export const runHttp: RunHttp = async (request) => {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const endpoint = `${request.actionId} endpoint`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const headers = new Headers(request.effect.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    const response = await fetch(request.effect.url, {
      method: request.effect.method,
      headers,
      body: JSON.stringify(request.body),
      redirect: 'manual',
      signal: controller.signal,
    });
    // The body is not read: it is not shown, and an endpoint could stream forever.
    await response.body?.cancel().catch(() => undefined);
    const duration = elapsed();
    if (response.status >= 200 && response.status < 300) {
      return { kind: 'succeeded', status: response.status, duration_ms: duration, detail: `HTTP ${response.status} from ${endpoint} in ${duration} ms` };
    }
    return { kind: 'failed', status: response.status, duration_ms: duration, detail: `HTTP ${response.status} from ${endpoint} in ${duration} ms` };
  } catch (error) {
    const duration = elapsed();
    if (controller.signal.aborted) {
      return { kind: 'timed_out', status: null, duration_ms: duration, detail: `no answer from ${endpoint} within ${request.timeoutMs} ms` };
    }
    return { kind: 'failed', status: null, duration_ms: duration, detail: `request to ${endpoint} failed: ${networkCode(error)}` };
  } finally {
    clearTimeout(timer);
  }
};

/** A network error's code only (ECONNREFUSED…): undici's messages can include the address. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'network error';
}
