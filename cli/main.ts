#!/usr/bin/env node
// The `firewatch` executable: everything lives in cli.ts so tests can drive `main()` without a process.

import { main } from './cli.js';

// `firewatch incidents list | head`: the reader went away; stop quietly, as Unix tools do, instead of a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// grpc-js names the server it dials in TLS's SNI even when that is an IP address (`--connect 10.0.0.5:7070`), which
// Node deprecates (DEP0123) without changing what is verified: the certificate is still checked against the IP. The
// warning would be the first line a user sees on every remote command; it says nothing they can act on.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`firewatch: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
