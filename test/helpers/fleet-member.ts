// A daemon of a fleet, as the remote-door tests run it: its own directory under the test's workspace, the control
// door on an ephemeral port with TLS from the test's CA and bearer tokens with roles, /metrics on an ephemeral port.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, writeConfig, type DaemonProcess } from './daemon-process.js';
import type { TestPki } from './tls.js';

export interface DoorToken {
  name: string;
  role: 'viewer' | 'operator';
  token: string;
}

/** Starts daemon `name` in `workspace`/`name`; `extra` is appended to its configuration (e.g. a `processors:` block). */
export function startFleetMember(workspace: string, name: string, pki: TestPki, tokens: readonly DoorToken[], extra: readonly string[] = []): Promise<DaemonProcess> {
  const directory = join(workspace, name);
  mkdirSync(directory);
  const config = writeConfig(
    directory,
    [
      'service:',
      '  telemetry: { metrics: { endpoint: 127.0.0.1:0 } }',
      '  control:',
      '    endpoint: 127.0.0.1:0',
      `    tls: { cert_file: ${JSON.stringify(pki.certFile)}, key_file: ${JSON.stringify(pki.keyFile)} }`,
      '    tokens:',
      ...tokens.map(({ name: tokenName, role, token }) => `      - { name: ${tokenName}, role: ${role}, token: ${token} }`),
      ...extra,
    ].join('\n'),
  );
  return startDaemon(directory, config);
}
