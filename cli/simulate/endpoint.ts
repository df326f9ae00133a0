// Where simulated telemetry goes: `--endpoint HOST:PORT`, else the daemon's own OTLP/gRPC listener as its status
// reports it. A listener bound to every interface (0.0.0.0, ::) is reached over loopback.

const HOST_PORT = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?<port>\d{1,5})$/;
const WILDCARD_HOSTS: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]', '': '127.0.0.1' };

/**
 * `host:port` to dial, or null when `text` is not one. Accepts an `http://` prefix (what OTel SDK settings hold);
 * refuses `https://` (the receiver takes plaintext only; TLS belongs to a Collector in front of it).
 */
export function normalizeEndpoint(text: string): string | null {
  let rest = text.trim();
  if (/^https:\/\//i.test(rest)) return null;
  rest = rest.replace(/^http:\/\//i, '').replace(/\/+$/, '');
  if (rest.startsWith(':')) rest = `0.0.0.0${rest}`;
  const match = HOST_PORT.exec(rest);
  if (match === null) return null;
  const port = Number(match.groups!.port);
  if (port < 1 || port > 65_535) return null;
  const host = match.groups!.host!;
  return `${WILDCARD_HOSTS[host] ?? host}:${port}`;
}
