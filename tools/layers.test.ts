import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { collectImports } from './check-layers.js';
import { checkImports, findCycles } from './layers.js';

describe('layer rules', () => {
  it('names both files of a wrong-way import', () => {
    const [violation] = checkImports([{ from: 'engine/engine.ts', to: 'daemon/serve.ts' }]);
    expect(violation?.message).toBe(
      'engine/engine.ts imports daemon/serve.ts: engine/ may import common/, not daemon/ (DESIGN.md "Layers")',
    );
  });

  it('lets each layer import what DESIGN.md allows and nothing else', () => {
    expect(checkImports([{ from: 'receiver/grpc-receiver.ts', to: 'engine/index.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'notify/delivery.ts', to: 'store/outbox.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'store/outbox.ts', to: 'respond/types.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'control/client.ts', to: 'daemon/package-root.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'api/client.ts', to: 'common/text.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'cli/commands/list.ts', to: 'view/rows.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'tui/app.tsx', to: 'engine/index.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'view/rows.ts', to: 'control/session.ts' }])).toHaveLength(1);
  });

  it('allows daemon/ only to the commands that start the daemon', () => {
    expect(checkImports([{ from: 'cli/commands/serve.ts', to: 'daemon/serve.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'cli/commands/incidents.ts', to: 'daemon/serve.ts' }])).toHaveLength(1);
    // `firewatch tui` starts the terminal UI through its entry point, and reaches nothing else of it.
    expect(checkImports([{ from: 'cli/commands/tui.ts', to: 'tui/run.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'cli/commands/tui.ts', to: 'tui/controller.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'cli/commands/incidents.ts', to: 'tui/run.ts' }])).toHaveLength(1);
  });

  it('keeps engine/ and receiver/ sealed behind their index', () => {
    expect(checkImports([{ from: 'daemon/serve.ts', to: 'engine/detector.ts' }])[0]?.message).toContain('import engine/index.ts instead');
    expect(checkImports([{ from: 'engine/engine.ts', to: 'engine/detector.ts' }])).toEqual([]);
  });

  it('keeps test helpers out of production code, and lets tests and benchmarks reach anywhere', () => {
    expect(checkImports([{ from: 'engine/engine.ts', to: 'engine/engine.test.ts' }])).toHaveLength(1);
    expect(checkImports([{ from: 'engine/engine.test.ts', to: 'daemon/serve.ts' }])).toEqual([]);
    expect(checkImports([{ from: 'bench/ingest.bench.ts', to: 'daemon/serve.ts' }])).toEqual([]);
  });

  it('ignores packages', () => {
    expect(checkImports([{ from: 'api/client.ts', to: 'node:fs' }, { from: 'engine/x.ts', to: 'lmdb' }])).toEqual([]);
  });

  it('finds import cycles', () => {
    const cycles = findCycles([
      { from: 'cli/cli.ts', to: 'cli/commands/completion.ts' },
      { from: 'cli/commands/completion.ts', to: 'cli/cli.ts' },
      { from: 'cli/main.ts', to: 'cli/cli.ts' },
    ]);
    expect(cycles).toEqual([['cli/cli.ts', 'cli/commands/completion.ts']]);
  });

  it('resolves the repository’s own imports (a smoke test of the scanner)', () => {
    const edges = collectImports(resolve(import.meta.dirname, '..'));
    expect(edges.some((edge) => edge.from === 'tools/check-layers.ts' && edge.to === 'tools/layers.ts')).toBe(true);
  });
});
