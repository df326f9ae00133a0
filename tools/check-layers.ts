// `node dist/tools/check-layers.js [root]`: reads every TypeScript file of the repository, resolves its relative
// imports, and fails (exit 1) on an import that goes the wrong way between DESIGN.md's layers or closes a cycle.
// Run by `npm test` before the tests; the rules themselves are in tools/layers.ts.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LAYERS, checkImports, findCycles, type ImportEdge } from './layers.js';

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git', '.firewatch']);

function* sourceFiles(root: string, directory: string): Generator<string> {
  for (const entry of readdirSync(directory)) {
    if (SKIPPED_DIRECTORIES.has(entry)) continue;
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(root, path);
    else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) yield relative(root, path).split(sep).join('/');
  }
}

/** `./x.js` imported from `a/b.ts` → `a/x.ts` (or .tsx); package specifiers are returned as they are. */
function resolveSpecifier(from: string, specifier: string, exists: (path: string) => boolean): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = join(dirname(from), specifier).split(sep).join('/');
  const stem = base.replace(/\.(js|jsx|ts|tsx|mjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`]) if (exists(candidate)) return candidate;
  return `${stem}.ts`;
}

export function collectImports(root: string): ImportEdge[] {
  const files = new Set<string>();
  for (const layer of [...LAYERS, 'test', 'bench', 'tools']) {
    let isDirectory = false;
    try {
      isDirectory = statSync(join(root, layer)).isDirectory();
    } catch {
      // a layer that does not exist yet (web/ before the dashboard)
    }
    if (isDirectory) for (const file of sourceFiles(root, join(root, layer))) files.add(file);
  }
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
    const add = (specifier: string, typeOnly: boolean) =>
      edges.push({ from: file, to: resolveSpecifier(file, specifier, (path) => files.has(path)), typeOnly });
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, isTypeOnly(node));
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        add(node.arguments[0].text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return edges;
}

/** `import type {…}`, `export type {…}`, or an import whose every name is marked `type`: gone at run time. */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (clause === undefined) return false; // a side-effect import
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function main(): number {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  const edges = collectImports(root);
  const problems = checkImports(edges).map((violation) => violation.message);
  for (const cycle of findCycles(edges)) problems.push(`import cycle: ${cycle.join(' → ')}`);
  if (problems.length === 0) {
    console.log(`layers: ${edges.length} imports checked, all follow DESIGN.md`);
    return 0;
  }
  for (const problem of problems) console.error(`layers: ${problem}`);
  console.error(`layers: ${problems.length} problem${problems.length === 1 ? '' : 's'} (rules: tools/layers.ts)`);
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
