// Where simulated telemetry goes: `--endpoint HOST:PORT`, else the daemon's own OTLP/gRPC listener as its status
// reports it. A listener bound to every interface (0.0.0.0, ::) is reached over loopback.

import { formatHostPort, parseHostPort } from '../../common/endpoint.js';

const WILDCARD_HOSTS: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '::': '::1' };

/**
 * `host:port` to dial, or null when `text` is not one. Accepts an `http://` prefix (what OTel SDK settings hold);
 * refuses `https://` (the receiver takes plaintext only; TLS belongs to a Collector in front of it).
 */
export function normalizeEndpoint(text: string): string | null {
  let rest = text.trim();
  if (/^https:\/\//i.test(rest)) return null;
  rest = rest.replace(/^http:\/\//i, '').replace(/\/+$/, '');
  if (rest.startsWith(':')) rest = `0.0.0.0${rest}`;
  const parts = parseHostPort(rest);
  if (parts === null || parts.port < 1) return null;
  return formatHostPort(WILDCARD_HOSTS[parts.host] ?? parts.host, parts.port);
}
