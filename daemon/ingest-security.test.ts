import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../test/helpers/tls.js';
import { readIngestTokens, readReceiverTls } from './ingest-security.js';

describe('receiver secrets from files', () => {
  let directory: string;
  let pki: TestPki;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-secrets-'));
    pki = makeTestPki(directory);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads a certificate, its key and a client CA', () => {
    const identity = readReceiverTls({ cert_file: pki.certFile, key_file: pki.keyFile, client_ca_file: pki.caFile }, 'receivers.otlp.protocols.grpc.tls');
    expect(identity.cert.equals(readFileSync(pki.certFile))).toBe(true);
    expect(identity.clientCa?.equals(pki.ca)).toBe(true);
  });

  it('names the key when a file is missing or the key does not fit the certificate', () => {
    expect(() => readReceiverTls({ cert_file: join(directory, 'nope.pem'), key_file: pki.keyFile, client_ca_file: null }, 'receivers.otlp.protocols.http.tls')).toThrow(
      /^receivers\.otlp\.protocols\.http\.tls\.cert_file: cannot read .*nope\.pem: ENOENT/,
    );
    expect(() => readReceiverTls({ cert_file: pki.certFile, key_file: pki.clientKeyFile, client_ca_file: null }, 'receivers.otlp.protocols.grpc.tls')).toThrow(
      /^receivers\.otlp\.protocols\.grpc\.tls: the certificate, key and CA files do not make a TLS identity/,
    );
  });

  it('reads a token file one token per line, skipping comments, and refuses a short token without echoing it', () => {
    const file = join(directory, 'tokens');
    writeFileSync(file, '# senders\n\n  aaaaaaaaaaaaaaaa1  \nbbbbbbbbbbbbbbbb2\n');
    expect(readIngestTokens({ scheme: 'Bearer', tokens: ['cccccccccccccccc3'], filename: file })).toEqual(['cccccccccccccccc3', 'aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    writeFileSync(file, 'aaaaaaaaaaaaaaaa1\nshort-secret\n');
    expect(() => readIngestTokens({ scheme: 'Bearer', tokens: [], filename: file })).toThrow(/^extensions\.bearertokenauth\.filename: line 2 of .* is not one token/);
    expect(() => readIngestTokens({ scheme: 'Bearer', tokens: [], filename: file })).not.toThrow(/short-secret/);
  });
});
