// TLS material for tests, made on the spot with openssl: a private CA, a server certificate for 127.0.0.1 and
// localhost signed by it, and a client certificate (for mutual TLS). Nothing is checked in.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  caFile: string;
  certFile: string;
  keyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  ca: Buffer;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Writes ca.pem, server.pem/server-key.pem and client.pem/client-key.pem into `directory`. */
export function makeTestPki(directory: string, names: readonly string[] = ['127.0.0.1', 'localhost']): TestPki {
  const days = ['-days', '2'];
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-subj', '/CN=firewatch test CA', ...days], directory);
  const san = names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  writeFileSync(join(directory, 'server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(join(directory, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=firewatch'], ['client', '/CN=exporter']] as const) {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject], directory);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-extfile', `${name}.ext`, ...days], directory);
  }
  return {
    caFile: join(directory, 'ca.pem'),
    certFile: join(directory, 'server.pem'),
    keyFile: join(directory, 'server-key.pem'),
    clientCertFile: join(directory, 'client.pem'),
    clientKeyFile: join(directory, 'client-key.pem'),
    ca: readFileSync(join(directory, 'ca.pem')),
  };
}
