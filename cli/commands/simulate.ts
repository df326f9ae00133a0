// `firewatch incidents simulate` and `firewatch demo`: real OTLP telemetry through the whole path.
//
//   flags ─▶ live rule (control API: threshold, window, enabled) ─▶ plan (cli/simulate/simulations.ts, pure)
//         ─▶ OpenTelemetry JS SDK ─OTLP/gRPC─▶ daemon's receiver ─▶ converters ─▶ engine ─▶ incident
//         ─▶ poll the control API for the incident the run caused (cli/simulate/incident-wait.ts)
//         ─▶ note it as simulated (and set --severity) ─▶ print it like `incidents get`
//
// Nothing is injected behind the receiver's back: if the simulated incident appears, the same telemetry from a real
// service would raise it too. The SDK is loaded only when a run sends something (`await import`), so other
// commands start as fast as before.

import { randomBytes } from 'node:crypto';
import type { ControlClient, UpdateIncidentRequest } from '../../api/client.js';
import { SEVERITIES } from '../../api/vocabulary.js';
import { renderIncidentDetail } from '../../view/incident-text.js';
import { UsageError, type CommandSpec, type FlagSpec, type ParsedArgs } from '../args.js';
import { print, printJson, withClient } from '../context.js';
import { ACTOR_FLAG, FORMAT_FLAG, actorOf } from '../flags.js';
import { renderCsv } from '../render/csv.js';
import { terminalWidth } from '../render/table.js';
import { cleanLine } from '../../view/text.js';
import {
  DEFAULT_DEMO_DURATION_SECONDS,
  DEMO_PHASES,
  DEMO_SERVICES,
  DEMO_TICK_MS,
  demoTicks,
  type DemoPhaseId,
  MAX_DEMO_DURATION_SECONDS,
  MIN_DEMO_DURATION_SECONDS,
  planDemoTick,
} from '../simulate/demo-scenario.js';
import { normalizeEndpoint } from '../simulate/endpoint.js';
import { type CausedIncident, openIncidentsCovering, waitForIncidents } from '../simulate/incident-wait.js';
import { DEFAULT_TIMEOUT_SECONDS, parseDemoOptions, parseSimulateOptions, type SimulateOptions } from '../simulate/options.js';
import type { SendResult, TelemetrySender } from '../simulate/sender.js';
import {
  defaultEventsPerComponent,
  defaultTimeSpanSeconds,
  planSimulation,
  SIMULATED_TYPES,
  SIMULATION_ID_ATTRIBUTE,
  SIMULATION_PROFILES,
  type SimulationPlan,
} from '../simulate/simulations.js';
import { createJitter, type PlanAttributes } from '../simulate/telemetry-plan.js';
import { renderIncidentTable } from './incidents.js';

/** Incidents read per poll: the newest ones of the type and components are the candidates. */
const LIST_LIMIT = 100;
/** An export that takes longer than this has failed, whatever --timeout says. */
const MAX_EXPORT_TIMEOUT_MS = 10_000;
/** How long the demo waits for its incidents after the last telemetry. */
const DEMO_WAIT_MS = 5000;
/** What the demo raises with the built-in rules (it stops waiting once both are there). */
const DEMO_EXPECTED_TYPES = ['error_burst', 'memory_exhaustion'];

const ENDPOINT_FLAG: FlagSpec = {
  name: 'endpoint',
  kind: 'string',
  placeholder: 'HOST:PORT',
  description: "OTLP/gRPC receiver to send to (default: the daemon's own, from its status)",
};

export const incidentsSimulate: CommandSpec = {
  path: ['incidents', 'simulate'],
  summary: 'Send real OTLP telemetry that raises an incident of one rule type, and show the incident.',
  positionals: [],
  flags: [
    ACTOR_FLAG,
    { name: 'type', kind: 'string', choices: SIMULATED_TYPES, placeholder: 'TYPE', description: `rule type to simulate (required): ${SIMULATED_TYPES.join(', ')}` },
    { name: 'severity', kind: 'string', choices: SEVERITIES, placeholder: 'SEVERITY', description: "set the incident's severity once detected (default: the rule's)" },
    { name: 'components', kind: 'list', placeholder: 'NAME[,…]', description: 'service names of the affected components (default api,worker; worker for metric types)' },
    { name: 'event-count', kind: 'number', placeholder: 'N', description: "events per component (default: the rule's threshold + 2)" },
    { name: 'time-span', kind: 'number', placeholder: 'SECONDS', description: "spread the events' timestamps over this many seconds up to now (default: half the rule's window, ≤ 60)" },
    ENDPOINT_FLAG,
    { name: 'timeout', kind: 'number', placeholder: 'SECONDS', description: `how long to wait for the incident (default ${DEFAULT_TIMEOUT_SECONDS})` },
    FORMAT_FLAG,
  ],
  examples: [
    'firewatch incidents simulate --type error_burst --severity high --components api,worker',
    'firewatch incidents simulate --type service_down --event-count 10 --time-span 60',
    'firewatch incidents simulate --type memory_exhaustion --format json',
  ],
  async run(args) {
    const parsed = parseSimulateOptions(args.flags);
    if (!parsed.ok) throw new UsageError(parsed.error, incidentsSimulate);
    return withClient(args, (client) => simulate(client, parsed.value, args));
  },
};

export const demo: CommandSpec = {
  path: ['demo'],
  summary: 'Play a short outage of a three-service shop against the daemon, narrated, and list the incidents it raises.',
  positionals: [],
  flags: [
    ACTOR_FLAG,
    ENDPOINT_FLAG,
    {
      name: 'duration',
      kind: 'number',
      placeholder: 'SECONDS',
      description: `how long the scenario runs (default ${DEFAULT_DEMO_DURATION_SECONDS}, ${MIN_DEMO_DURATION_SECONDS}–${MAX_DEMO_DURATION_SECONDS})`,
    },
  ],
  examples: ['firewatch demo', 'firewatch demo --duration 30'],
  async run(args) {
    const parsed = parseDemoOptions(args.flags);
    if (!parsed.ok) throw new UsageError(parsed.error, demo);
    return withClient(args, (client) => runDemo(client, parsed.value.durationSeconds, parsed.value.endpoint, args));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// simulate

async function simulate(client: ControlClient, options: SimulateOptions, args: ParsedArgs): Promise<number> {
  const { type } = options;
  const profile = SIMULATION_PROFILES[type];
  const rule = await client.getRule(type);
  if (rule.enabled === false) {
    complain(`the ${type} rule is disabled, so no incident would appear (enable it with \`firewatch incidents rules enable ${type}\`)`);
    return 1;
  }
  const threshold = Number(rule.error_threshold);
  const windowSeconds = Number(rule.time_window_seconds);
  const counted = rule.match.event_types;
  if (counted.length > 0 && !counted.includes(profile.eventType)) {
    warn(`the ${type} rule no longer counts ${profile.eventType} events (it counts ${counted.join(', ')}): expect no incident`);
  }

  const components = options.components ?? [...profile.defaultComponents];
  const eventsPerComponent = options.eventCount ?? defaultEventsPerComponent(threshold);
  if (eventsPerComponent < threshold) {
    warn(`--event-count ${eventsPerComponent} is below the ${type} rule's threshold of ${threshold} events per source in ${windowSeconds} s: expect no incident`);
  }
  const timeSpanSeconds = options.timeSpanSeconds ?? defaultTimeSpanSeconds(windowSeconds);
  if (timeSpanSeconds > windowSeconds) {
    warn(`--time-span ${timeSpanSeconds} s is longer than the ${type} rule's ${windowSeconds} s window: not all events fall into one window`);
  }
  if (!profile.sharesTraces && components.length > 1) {
    note(`${type} comes from metric points, which carry no trace to tie components together, and the rule groups by source: expect one incident per component`);
  }

  const endpoint = options.endpoint ?? (await daemonEndpoint(client));
  if (endpoint === null) return 1;
  const list = async () => (await client.listIncidents({ incident_type: [type], component: components, limit: LIST_LIMIT })).incidents;
  const openBefore = openIncidentsCovering(await list(), { incidentTypes: [type], sources: components });
  for (const id of openBefore.keys()) {
    note(`${id} is an open ${type} incident of these components: the simulated events will join it rather than raise a new one`);
  }

  const simulationId = newSimulationId();
  const startedAtMs = Date.now();
  const plan = planSimulation({ type, simulationId, components, eventsPerComponent, timeSpanMs: timeSpanSeconds * 1000, nowMs: startedAtMs });
  const sent = await sendAll(endpoint, simulationId, Math.min(MAX_EXPORT_TIMEOUT_MS, options.timeoutSeconds * 1000), async (sender) => sender.send(plan));
  if (sent === null) return 1;

  const progress = progressNote(process.stderr);
  const caused = await waitForIncidents(
    list,
    { incidentTypes: [type], sources: components, traceIds: new Set(sent.traceIds), startedAtMs, openBefore },
    {
      timeoutMs: options.timeoutSeconds * 1000,
      onPoll: (remainingMs) => progress.update(`waiting for the ${type} incident… (${Math.ceil(remainingMs / 1000)} s left)`),
    },
  ).finally(() => progress.clear());
  if (caused.length === 0) {
    complain(
      `no ${type} incident appeared within ${options.timeoutSeconds} s after sending ${describeSent(plan, sent)} to ${endpoint}; ` +
        `check the rule with \`firewatch incidents rules show ${String(rule.rule_id)}\``,
    );
    return 1;
  }

  const actor = actorOf(args);
  const shown: CausedIncident[] = [];
  for (const { incident, causation } of caused) {
    const id = String(incident.incident_id);
    const update: UpdateIncidentRequest = { incident_id: id, actor, notes: '' };
    if (causation === 'new' && options.severity !== undefined && incident.severity !== options.severity) {
      update.severity = options.severity;
      update.notes = `simulated with --severity ${options.severity} (simulation ${simulationId}, \`firewatch incidents simulate --type ${type}\`)`;
    } else if (causation === 'new') {
      update.notes = `simulated (simulation ${simulationId}, \`firewatch incidents simulate --type ${type}\`)`;
    } else {
      if (options.severity !== undefined) warn(`left ${id}'s severity as it is: it was open before this simulation`);
      update.notes = `simulated events joined this incident (simulation ${simulationId}, \`firewatch incidents simulate --type ${type}\`)`;
    }
    await client.updateIncident(update);
    shown.push({ incident: await client.getIncident(id), causation });
  }
  printSimulated(options, plan, simulationId, shown);
  return 0;
}

function printSimulated(options: SimulateOptions, plan: SimulationPlan, simulationId: string, caused: readonly CausedIncident[]): void {
  const incidents = caused.map((c) => c.incident);
  if (options.format === 'json') {
    printJson(incidents.length === 1 ? incidents[0] : incidents);
    return;
  }
  if (options.format === 'csv') {
    print(
      renderCsv(
        ['incident_id', 'incident_type', 'severity', 'status', 'title', 'detected_at', 'event_count', 'affected_components', 'simulation_id', 'events_sent', 'joined_open_incident'],
        caused.map(({ incident: i, causation }) => [
          i.incident_id, i.incident_type, i.severity, i.status, i.title, i.detected_at, i.event_count, i.affected_components,
          simulationId, plan.eventsTotal, causation === 'joined',
        ]),
      ),
    );
    return;
  }
  const targets = caused
    .map(({ incident, causation }) => `${cleanLine(incident.incident_id)}${causation === 'joined' ? ' (already open: the events joined it)' : ''}`)
    .join(', ');
  print(`simulated ${options.type}: ${plan.eventsTotal} events sent → ${targets}`);
  const now = Date.now();
  print(incidents.map((incident) => renderIncidentDetail(incident, now)).join('\n\n'));
}

function describeSent(plan: SimulationPlan, sent: SendResult): string {
  const parts = [
    sent.spans > 0 ? `${sent.spans} spans` : '',
    sent.logs > 0 ? `${sent.logs} log records` : '',
    sent.points > 0 ? `${sent.points} metric points` : '',
  ].filter(Boolean);
  const components = plan.request.components.join(', ');
  return (
    `${plan.eventsTotal} ${plan.eventType} events (${plan.request.eventsPerComponent} per component: ${components}; ` +
    `${SIMULATION_PROFILES[plan.request.type].mechanism}; ${parts.join(', ')})`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// demo

async function runDemo(client: ControlClient, durationSeconds: number, endpointFlag: string | undefined, args: ParsedArgs): Promise<number> {
  const endpoint = endpointFlag ?? (await daemonEndpoint(client));
  if (endpoint === null) return 1;
  const services = [...DEMO_SERVICES];
  const list = async () => (await client.listIncidents({ component: services, limit: LIST_LIMIT })).incidents;
  const openBefore = openIncidentsCovering(await list(), { incidentTypes: [], sources: services });
  const simulationId = newSimulationId();
  const sim: PlanAttributes = { [SIMULATION_ID_ATTRIBUTE]: simulationId };
  const jitter = createJitter(simulationId);
  print(`firewatch demo: a shop (frontend → checkout → payments) sending OTLP to ${endpoint} for ${durationSeconds} s (simulation ${simulationId})`);

  const startedAtMs = Date.now();
  const elapsed = () => `[${((Date.now() - startedAtMs) / 1000).toFixed(1).padStart(5)} s]`;
  const traceIds = new Set<string>();
  const totals = { requests: 0, failed: 0, spans: 0, logs: 0, points: 0 };
  let failedTraceId: string | undefined;
  const ticks = demoTicks(durationSeconds);
  const finished = await sendAll(endpoint, simulationId, MAX_EXPORT_TIMEOUT_MS, async (sender) => {
    let phase: DemoPhaseId | undefined;
    for (let tick = 0; tick < ticks; tick++) {
      await sleep(startedAtMs + tick * DEMO_TICK_MS - Date.now());
      const step = planDemoTick({ tick, ticks, nowMs: Date.now(), requestSeq: totals.requests, jitter, sim });
      if (step.phase !== phase) {
        phase = step.phase;
        print(`${elapsed()} ${DEMO_PHASES.find((p) => p.id === step.phase)!.narration}`);
      }
      const sent = await sender.send(step.plan);
      sent.traceIds.forEach((id, i) => {
        traceIds.add(id);
        if (failedTraceId === undefined && step.plan.traces[i]!.error !== undefined) failedTraceId = id;
      });
      totals.requests += step.requests;
      totals.failed += step.failed;
      totals.spans += sent.spans;
      totals.logs += sent.logs;
      totals.points += sent.points;
    }
    return true;
  });
  if (finished === null) return 1;
  print(
    `${elapsed()} done: ${totals.requests} checkouts, ${totals.failed} failed — sent ${totals.spans} spans, ${totals.logs} log records, ` +
      `${totals.points} metric points`,
  );

  const caused = await waitForIncidents(
    list,
    { incidentTypes: [], sources: services, traceIds, startedAtMs, openBefore },
    { timeoutMs: DEMO_WAIT_MS, isComplete: (found) => DEMO_EXPECTED_TYPES.every((t) => found.some((c) => c.incident.incident_type === t)) },
  );
  if (caused.length === 0) {
    complain(`the demo raised no incident within ${DEMO_WAIT_MS / 1000} s of its last telemetry; check the rules with \`firewatch incidents rules list\``);
    return 1;
  }
  const actor = actorOf(args);
  for (const { incident, causation } of caused) {
    await client.updateIncident({
      incident_id: String(incident.incident_id),
      actor,
      notes: causation === 'new' ? `raised by \`firewatch demo\` (simulation ${simulationId})` : `\`firewatch demo\` events joined this incident (simulation ${simulationId})`,
    });
  }

  print('\nIncidents the demo raised:');
  print(renderIncidentTable(caused.map((c) => c.incident), terminalWidth()));
  const joined = caused.filter((c) => c.causation === 'joined').map((c) => cleanLine(c.incident.incident_id));
  if (joined.length > 0) print(`(${joined.join(', ')} ${joined.length === 1 ? 'was' : 'were'} open before: the demo's events joined ${joined.length === 1 ? 'it' : 'them'})`);

  const burst = caused.find((c) => c.incident.incident_type === 'error_burst')?.incident ?? caused[0]!.incident;
  const rootSpan = burst.root_cause.root_span;
  const traceId = rootSpan !== undefined && rootSpan.trace_id !== '' ? rootSpan.trace_id : failedTraceId;
  const socket = args.flags.socket === undefined ? '' : ` --socket ${String(args.flags.socket)}`;
  const next = [
    [`firewatch incidents get ${cleanLine(burst.incident_id)} --timeline${socket}`, 'the events behind it, oldest first'],
    ...(traceId !== undefined ? [[`firewatch trace ${cleanLine(traceId)}${socket}`, 'one failed checkout, hop by hop']] : []),
    [`firewatch incidents watch${socket}`, 'follow incidents live'],
    [`firewatch incidents postmortem ${cleanLine(burst.incident_id)}${socket}`, 'the post-mortem draft'],
  ];
  const width = Math.max(...next.map(([command]) => command!.length));
  print(['', 'Next:', ...next.map(([command, why]) => `  ${command!.padEnd(width)}   ${why}`)].join('\n'));
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// shared

/** The daemon's OTLP/gRPC listener, or null (reported) when it has none. */
async function daemonEndpoint(client: ControlClient): Promise<string | null> {
  const status = await client.status();
  const raw = String(status.otlp_grpc_endpoint ?? '');
  const endpoint = raw === '' ? null : normalizeEndpoint(raw);
  if (endpoint === null) {
    complain(
      raw === ''
        ? 'the daemon has no OTLP/gRPC receiver (receivers.otlp.protocols.grpc); pass --endpoint HOST:PORT of one that forwards to it'
        : `the daemon reports an OTLP/gRPC endpoint this command cannot dial (${cleanLine(raw)}); pass --endpoint HOST:PORT`,
    );
  }
  return endpoint;
}

/**
 * Runs `use` with a sender (the SDK loaded on first use) and closes it; a SendError is reported and yields null.
 */
async function sendAll<T>(endpoint: string, simulationId: string, exportTimeoutMs: number, use: (sender: TelemetrySender) => Promise<T>): Promise<T | null> {
  const { createTelemetrySender, SendError } = await import('../simulate/sender.js');
  const sender = createTelemetrySender({ endpoint, exportTimeoutMs, resourceAttributes: { [SIMULATION_ID_ATTRIBUTE]: simulationId } });
  try {
    return await use(sender);
  } catch (error) {
    if (error instanceof SendError) {
      complain(`${error.message} (is the daemon's OTLP receiver reachable there?)`);
      return null;
    }
    throw error;
  } finally {
    await sender.shutdown();
  }
}

function newSimulationId(): string {
  return `sim-${randomBytes(6).toString('hex')}`;
}

function complain(message: string): void {
  process.stderr.write(`firewatch: ${cleanLine(message)}\n`);
}

function warn(message: string): void {
  process.stderr.write(`firewatch: warning: ${cleanLine(message)}\n`);
}

function note(message: string): void {
  process.stderr.write(`firewatch: note: ${cleanLine(message)}\n`);
}

/** A one-line note rewritten in place, on a terminal only (never in pipes or logs). */
function progressNote(stream: NodeJS.WriteStream): { update(text: string): void; clear(): void } {
  if (!stream.isTTY) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(text) {
      stream.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
