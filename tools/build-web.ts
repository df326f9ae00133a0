// `node dist/tools/build-web.js`: bundles the web dashboard (web/main.tsx and everything it imports: React, api/,
// view/, common/) with esbuild into dist/web/assets/app.js, and copies index.html, the stylesheet and the icon beside
// it. Run by `npm run build` after tsc (which type-checks web/ against the DOM with web/tsconfig.json). Fails when the
// page's JavaScript grows past its budget (DESIGN.md: < 250 KB gzipped), and prints what it wrote.

import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { packageRoot } from '../common/package-root.js';

/** DESIGN.md's budget for the page's JavaScript, gzipped. */
export const SCRIPT_BUDGET_BYTES = 250 * 1024;

export async function buildWeb(root: string): Promise<Array<{ file: string; bytes: number; gzipBytes: number }>> {
  const out = join(root, 'dist', 'web');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'web', 'main.tsx')],
    outfile: join(out, 'assets', 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox113', 'safari16.4'],
    minify: true,
    // No source map: it would triple what the daemon reads and keeps in memory at start, for DevTools alone.
    sourcemap: false,
    tsconfig: join(root, 'web', 'tsconfig.json'),
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'eof',
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
  copyFileSync(join(root, 'web', 'style.css'), join(out, 'assets', 'app.css'));
  copyFileSync(join(root, 'web', 'favicon.svg'), join(out, 'assets', 'favicon.svg'));
  return ['index.html', 'assets/app.js', 'assets/app.css', 'assets/favicon.svg'].map((file) => {
    const path = join(out, file);
    return { file, bytes: statSync(path).size, gzipBytes: gzipSync(readFileSync(path), { level: 9 }).length };
  });
}

async function main(): Promise<number> {
  const root = packageRoot();
  const files = await buildWeb(root);
  for (const { file, bytes, gzipBytes } of files) console.log(`web: dist/web/${file} ${(bytes / 1024).toFixed(1)} KiB (${(gzipBytes / 1024).toFixed(1)} KiB gzipped)`);
  const script = files.find((file) => file.file === 'assets/app.js')!;
  if (script.gzipBytes > SCRIPT_BUDGET_BYTES) {
    console.error(`web: the page's JavaScript is ${(script.gzipBytes / 1024).toFixed(1)} KiB gzipped, over the ${SCRIPT_BUDGET_BYTES / 1024} KiB budget`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`web: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
