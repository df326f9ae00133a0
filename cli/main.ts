#!/usr/bin/env node
// The `firewatch` executable: everything lives in cli.ts so tests can drive `main()` without a process.

import { main } from './cli.js';

// `firewatch incidents list | head`: the reader went away; stop quietly, as Unix tools do, instead of a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`firewatch: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
