// `host:port` as configuration and flags write it (`127.0.0.1:4317`, `[::1]:4318`, `localhost:0`): one parser for
// every listener and every client, so an address accepted in one place is accepted everywhere.

export const MAX_PORT = 65_535;

export interface HostPort {
  /** The host, IPv6 without its brackets. */
  host: string;
  /** 0–65535 (0: any free port, for listeners). */
  port: number;
}

/** A bracketed IPv6 address, or a host name / IPv4 address (no spaces, colons, brackets or slashes), then a port. */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/;

/** `host:port` / `[v6]:port` → its parts; null when malformed or the port is above 65535. */
export function parseHostPort(text: unknown): HostPort | null {
  if (typeof text !== 'string') return null;
  const match = HOST_PORT.exec(text);
  if (match === null) return null;
  const port = Number(match[2]);
  if (port > MAX_PORT) return null;
  const host = match[1]!;
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** The parts back as `host:port`, brackets around an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `endpoint` (valid) with another port: what a listener configured with port 0 actually bound. */
export function withPort(endpoint: string, port: number): string {
  const parsed = parseHostPort(endpoint);
  if (parsed === null) throw new Error(`not host:port: ${JSON.stringify(endpoint)}`);
  return formatHostPort(parsed.host, port);
}
