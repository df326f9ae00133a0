#!/usr/bin/env node
// The `firewatch` executable: everything lives in cli.ts so tests can drive `main()` without a process.

import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`firewatch: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
