// `node dist/tools/build-tui.js`: bundles tui/app.tsx (the React root, the one module of ours that imports React and
// Ink) together with React, Ink and everything they import into one file, dist/tui/app.js, over what tsc wrote there.
// Run by `npm run build` after tsc.
//
// Why: `firewatch tui` spent most of its first second loading Ink. Ink imports es-toolkit's `compat` index for one
// function (throttle), which is ~420 module files, and ~80 more of its own and its dependencies': each resolved, read
// and compiled on its own (~550 ms of the ~1 s budget on our 2-core machine under load, against ~150 ms for the one
// file). Nothing else of ours may be in the bundle, or it would exist twice at run time (checked below); and React
// must be imported by nothing else of ours, or there would be two Reacts. Without this step (tsc alone), app.js is the
// plain module: slower to load, same behaviour.

import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../common/package-root.js';

/** First line of the bundle: how a reader (and bench/tui.bench.ts) tells it from tsc's output. */
export const TUI_BUNDLE_MARK = '// firewatch: tui/app.tsx bundled with React and Ink by tools/build-tui.ts';

/** The entry, relative to the package root: the only file of ours allowed in the bundle. */
const ENTRY = 'tui/app.tsx';

/**
 * Ink imports react-devtools-core only when DEV=true, and says how to install it when that import fails. It is not a
 * dependency of ours: in the bundle the import fails the same way, when it is made.
 */
const noDevtools: Plugin = {
  name: 'no-react-devtools',
  setup(plugin) {
    plugin.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'absent' }));
    plugin.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({
      contents: "throw new Error('react-devtools-core is not installed');",
      loader: 'js',
    }));
  },
};

/**
 * Yoga (Ink's layout engine) ships its WebAssembly as a base64 data: URL, and its Emscripten loader reads that URL with
 * fetch() whenever fetch exists: Node's fetch is undici, loaded on first use with http, http2, tls and web streams
 * (~30 ms, for nothing). Without fetch the same loader decodes the base64 itself, as it does on runtimes that have none.
 */
const yogaWithoutFetch: Plugin = {
  name: 'yoga-without-fetch',
  setup(plugin) {
    plugin.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (file) => ({
      contents: `var fetch;\n${readFileSync(file.path, 'utf8')}`,
      loader: 'js',
    }));
  },
};

export type TuiBundle = {
  /** The file written, relative to the package root. */
  file: string;
  bytes: number;
  /**
   * What loading the bundle imports (its import statements: node's own modules only, unless something went wrong).
   * Code that runs later may still require() (ws, for Ink's devtools with DEV=true).
   */
  imports: string[];
};

/** Bundles `entry` (default tui/app.tsx) into `outfile` (default dist/tui/app.js); paths absolute or from `root`. */
export async function buildTui(root: string, outfile = join(root, 'dist', 'tui', 'app.js'), entry = ENTRY): Promise<TuiBundle> {
  const entryPath = resolve(root, entry);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entryPath],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.json'),
    jsx: 'automatic',
    // Some of Ink's dependencies are CommonJS and require node's own modules: an ES module has no `require`.
    banner: { js: `${TUI_BUNDLE_MARK}\nimport { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);` },
    // React's development or production build is still chosen at run time by NODE_ENV (tui/run.ts sets it).
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    plugins: [noDevtools, yogaWithoutFetch],
    logLevel: 'warning',
  });
  const ours = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/') && !input.startsWith('absent:'));
  const strays = ours.filter((input) => resolve(root, input) !== entryPath);
  if (strays.length > 0) {
    throw new Error(`${entry} must import only types of ours (the bundle would hold a second copy of: ${strays.join(', ')})`);
  }
  const output = Object.entries(result.metafile.outputs).find(([path]) => resolve(root, path) === resolve(outfile))![1];
  return { file: relative(root, outfile), bytes: statSync(outfile).size, imports: [...new Set(output.imports.filter((entry) => entry.kind === 'import-statement').map((entry) => entry.path))].sort() };
}

/** Whether the app.js at `file` is the bundle (else tsc's module, which imports React and Ink from node_modules). */
export function isTuiBundle(file: string): boolean {
  return readFileSync(file, 'utf8').startsWith(TUI_BUNDLE_MARK);
}

async function main(): Promise<void> {
  const root = packageRoot();
  const { file, bytes } = await buildTui(root);
  console.log(`tui: ${file} ${(bytes / 1024).toFixed(1)} KiB (tui/app.tsx with React and Ink)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`tui: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
