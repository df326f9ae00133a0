// The labelled detection corpus (test/corpus/): every scenario's telemetry, made and exported by the real
// OpenTelemetry SDK, into a daemon of its own; then what the daemon raised, scored against what a person would want
// (test/corpus/score.ts). The score is printed; every figure must be perfect.
//
//   npx tsc -p tsconfig.json && npx vitest run test/e2e/corpus.test.ts
//   CORPUS=18,19 … runs only the scenarios whose file names start with those numbers.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario, ScenarioContext } from '../corpus/scenario.js';
import { formatScore, scoreCorpus, type RaisedIncident, type ScenarioOutcome } from '../corpus/score.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

const SCENARIO_DIRECTORY = join(import.meta.dirname, '..', 'corpus', 'scenarios');
/** Daemons running at once (the machine has two cores; the exporters and the CLI need some too). */
const PARALLEL = 2;
/** The scenario's times start this long before it sends: its telemetry ends by the time it is exported. */
const ORIGIN_LEAD_MS = 3_000;

async function loadScenarios(): Promise<{ name: string; scenario: Scenario }[]> {
  const only = process.env['CORPUS']?.split(',').filter((prefix) => prefix !== '');
  const files = readdirSync(SCENARIO_DIRECTORY)
    .filter((file) => /^\d+-.*\.ts$/.test(file))
    .filter((file) => only === undefined || only.some((prefix) => file.startsWith(prefix)))
    .sort();
  const loaded = [];
  for (const file of files) {
    const module = (await import(join(SCENARIO_DIRECTORY, file))) as { scenario: Scenario };
    loaded.push({ name: file.replace(/\.ts$/, ''), scenario: module.scenario });
  }
  return loaded;
}

async function listIncidents(daemon: DaemonProcess): Promise<RaisedIncident[]> {
  const result = await runCli(['incidents', 'list', '--limit', '1000', '--socket', daemon.socket, '--format', 'json']);
  if (result.code !== 0) throw new Error(`incidents list failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as RaisedIncident[];
}

async function runScenario(name: string, scenario: Scenario): Promise<ScenarioOutcome> {
  const workspace = makeWorkspace(`firewatch-corpus-${name.slice(0, 2)}-`);
  const configFile = writeConfig(workspace, scenario.config ?? '');
  let daemon = await startDaemon(workspace, configFile);
  try {
    const context: ScenarioContext = {
      get endpoint() {
        return daemon.otlpEndpoint;
      },
      origin: Date.now() - ORIGIN_LEAD_MS,
      async restart() {
        await daemon.kill9();
        daemon = await startDaemon(workspace, configFile);
      },
    };
    await scenario.send(context);
    const raised = await listIncidents(daemon);
    raised.sort((a, b) => a.incident_id.localeCompare(b.incident_id));
    return { name, scenario, raised };
  } finally {
    await daemon.kill9();
    removeWorkspace(workspace);
  }
}

describe('detection corpus', () => {
  it('raises what every scenario expects: precision, recall, root cause, severity and counts all 1, no duplicates', async () => {
    // prepare
    const scenarios = await loadScenarios();
    expect(scenarios.length).toBeGreaterThan(0);

    // act: a small pool of daemons, one scenario each
    const outcomes: ScenarioOutcome[] = new Array(scenarios.length);
    let next = 0;
    const worker = async () => {
      while (next < scenarios.length) {
        const index = next++;
        const { name, scenario } = scenarios[index]!;
        outcomes[index] = await runScenario(name, scenario);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, scenarios.length) }, worker));

    // verify
    const score = scoreCorpus(outcomes);
    console.log(`detection corpus\n${formatScore(score)}`);
    expect(score.slips).toEqual([]);
    expect(score).toMatchObject({ precision: 1, recall: 1, rootCause: 1, severity: 1, counts: 1, duplicates: 0 });
  }, 600_000);
});
