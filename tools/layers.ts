// DESIGN.md's layers as data, and the check that keeps the code inside them. `npm test` runs it first
// (tools/check-layers.ts); a wrong-way import fails the run with a line naming both files.
//
//   common/                                   imports nothing
//   engine/                                   common/
//   receiver/ store/                          engine/ common/
//   respond/ notify/                          engine/ common/ store/
//   api/                                      nothing
//   control/                                  api/ common/
//   daemon/                                   everything above
//   view/                                     api/ common/
//   cli/ tui/ web/                            api/ view/ control/ common/  (+ daemon/ for the commands that start it,
//                                             + tui/run.ts for the commands that start the terminal UI)
//
// Only engine/index.ts and receiver/index.ts may be imported from outside their folders. Tests (*.test.ts[x]),
// test/, bench/ and tools/ are not production code and may reach anywhere.

export const LAYERS = ['common', 'engine', 'receiver', 'store', 'respond', 'notify', 'api', 'control', 'daemon', 'view', 'cli', 'tui', 'web'] as const;
export type Layer = (typeof LAYERS)[number];

const FRONT_ENDS: readonly Layer[] = ['api', 'view', 'control', 'common'];

export const ALLOWED_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  common: [],
  engine: ['common'],
  receiver: ['engine', 'common'],
  store: ['engine', 'common'],
  respond: ['engine', 'common', 'store'],
  notify: ['engine', 'common', 'store'],
  api: [],
  control: ['api', 'common'],
  daemon: ['common', 'engine', 'receiver', 'store', 'respond', 'notify', 'api', 'control'],
  view: ['api', 'common'],
  cli: FRONT_ENDS,
  tui: FRONT_ENDS,
  web: FRONT_ENDS,
};

/**
 * Files that start the daemon in-process: `firewatch serve`, and `firewatch` with no command (daemon + TUI, the TUI
 * handed an in-process ControlClient). They alone of the front ends may import daemon/.
 */
export const DAEMON_STARTERS: readonly string[] = ['cli/commands/serve.ts', 'cli/commands/default.ts'];

/**
 * Files that start the terminal UI: `firewatch tui`, and `firewatch` with no command. They may import its entry point,
 * tui/run.ts (runTui), and nothing else of tui/.
 */
export const TUI_STARTERS: readonly string[] = ['cli/commands/tui.ts', 'cli/commands/default.ts'];
export const TUI_ENTRY = 'tui/run.ts';

/** Folders whose insides are private: others import only their index.ts. */
export const SEALED: readonly Layer[] = ['engine', 'receiver'];

export interface ImportEdge {
  /** Repository-relative path of the importing file, with forward slashes. */
  from: string;
  /** Repository-relative path of the imported file (resolved, .ts), or a package name. */
  to: string;
  /** Only types are imported: the edge counts for the layers, not for cycles (it is gone at run time). */
  typeOnly?: boolean;
}

export interface Violation extends ImportEdge {
  message: string;
}

function layerOf(path: string): Layer | undefined {
  const top = path.split('/')[0] as Layer;
  return (LAYERS as readonly string[]).includes(top) ? top : undefined;
}

/** Not production code: tests, test helpers, benchmarks and these tools. */
export function isExempt(path: string): boolean {
  return /\.test\.tsx?$/.test(path) || /^(test|bench|tools)\//.test(path);
}

/** The wrong-way imports among `edges`; package imports (no leading folder of ours) are not judged here. */
export function checkImports(edges: Iterable<ImportEdge>): Violation[] {
  const violations: Violation[] = [];
  for (const edge of edges) {
    if (isExempt(edge.from)) continue;
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === undefined || to === undefined) continue;
    if (from !== to) {
      const allowed =
        ALLOWED_IMPORTS[from].includes(to) ||
        (to === 'daemon' && DAEMON_STARTERS.includes(edge.from)) ||
        (edge.to === TUI_ENTRY && TUI_STARTERS.includes(edge.from));
      if (!allowed) {
        violations.push({
          ...edge,
          message: `${edge.from} imports ${edge.to}: ${from}/ may import ${describeAllowed(from)}, not ${to}/ (DESIGN.md "Layers")`,
        });
        continue;
      }
      if (SEALED.includes(to) && edge.to !== `${to}/index.ts`) {
        violations.push({ ...edge, message: `${edge.from} imports ${edge.to}: outside ${to}/, import ${to}/index.ts instead` });
      }
    } else if (isExempt(edge.to)) {
      violations.push({ ...edge, message: `${edge.from} imports ${edge.to}: production code must not import tests or test helpers` });
    }
  }
  return violations;
}

function describeAllowed(layer: Layer): string {
  const allowed = ALLOWED_IMPORTS[layer];
  return allowed.length === 0 ? 'nothing of ours' : allowed.map((name) => `${name}/`).join(', ');
}

/** Import cycles among production files at run time (type-only imports left out), each once, as the files around it. */
export function findCycles(edges: Iterable<ImportEdge>): string[][] {
  const graph = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.typeOnly || isExempt(edge.from) || isExempt(edge.to) || layerOf(edge.to) === undefined) continue;
    const targets = graph.get(edge.from) ?? [];
    targets.push(edge.to);
    graph.set(edge.from, targets);
  }
  // Tarjan's strongly connected components: every component of more than one file is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return cycles;
}
