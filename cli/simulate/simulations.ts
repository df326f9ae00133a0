// The telemetry `firewatch incidents simulate --type T` sends: for each of the seven built-in rules, what real
// services would emit when that kind of incident happens, shaped so that the receiver's default converters
// (receiver/trace/span-converter.ts, logs/log-converter.ts, metrics/metric-converter-options.ts) turn it into exactly
// the event type the rule counts (engine/builtin-rules.ts):
//
//   error_burst              failed HTTP server spans (status ERROR, 500), a chain through the components,
//                            among twice as many successful requests                             → api_error
//   service_down             a health checker's client spans to each component, refused          → service_unavailable
//                            (source: the unreachable peer, `peer.service`)
//   quality_drop             ERROR log records with firewatch.event_type, in a quality-gate trace → quality_check_failed
//   workflow_failure_spike   failed workflow spans with firewatch.event_type                     → workflow_failed
//   memory_exhaustion        gauge system.memory.utilization{system.memory.state=used} ≥ 0.9     → memory_high
//   performance_degradation  successful server spans over the 1000 ms slow threshold, a chain    → slow_request
//   disk_space_low           gauge system.filesystem.utilization ≥ 0.9                           → disk_space_low
//
// Rules group by source, so `eventsPerComponent` events go to every component. Span and log events of one operation
// share a trace across the components, so the engine correlates them into one incident; metric points carry no
// trace, so each component of a metric simulation raises its own incident.
//
// Times: operation i ends at t_i, spread evenly over [now − timeSpan, now]; the spans of one operation end within
// OPERATION_LEAD_MS before it, so every event time lies in [now − timeSpan, now] once timeSpan ≥ OPERATION_LEAD_MS.

import {
  createJitter,
  type LogPlan,
  type MetricCollectionPlan,
  type PlanAttributes,
  type SpanPlan,
  spreadTimes,
  type TelemetryPlan,
} from './telemetry-plan.js';

export const SIMULATED_TYPES = [
  'error_burst',
  'service_down',
  'quality_drop',
  'workflow_failure_spike',
  'memory_exhaustion',
  'performance_degradation',
  'disk_space_low',
] as const;
export type SimulatedType = (typeof SIMULATED_TYPES)[number];

export function isSimulatedType(value: string): value is SimulatedType {
  return (SIMULATED_TYPES as readonly string[]).includes(value);
}

/** Marks every resource, span, log record and metric point of one run (DESIGN.md: simulations never mix). */
export const SIMULATION_ID_ATTRIBUTE = 'firewatch.simulation_id';
/** The health checker whose probes find the components of a service_down simulation unreachable. */
export const HEALTH_CHECKER_SERVICE = 'firewatch-simulate';

export const MAX_COMPONENTS = 16;
export const MAX_COMPONENT_NAME_LENGTH = 100;
export const MAX_EVENTS_PER_COMPONENT = 1000;
/** The spans of one operation end at most this long before the operation's time (nesting, parallel probes). */
export const OPERATION_LEAD_MS = 20;
/** Default time span: half the rule's window, at most a minute. */
const MAX_DEFAULT_TIME_SPAN_SECONDS = 60;
/** Default event count: the rule's threshold plus this margin. */
const DEFAULT_EVENT_MARGIN = 2;

export interface SimulationProfile {
  /** The event type the receiver makes of the telemetry (one the built-in rule counts). */
  eventType: string;
  signal: 'traces' | 'logs' | 'metrics';
  /** What is sent, in a few words, for messages. */
  mechanism: string;
  defaultComponents: readonly string[];
  /** The events of all components share traces, so they make one incident (metrics make one per component). */
  sharesTraces: boolean;
}

export const SIMULATION_PROFILES: Readonly<Record<SimulatedType, SimulationProfile>> = {
  error_burst: {
    eventType: 'api_error',
    signal: 'traces',
    mechanism: 'failed HTTP server spans (status ERROR, 500)',
    defaultComponents: ['api', 'worker'],
    sharesTraces: true,
  },
  service_down: {
    eventType: 'service_unavailable',
    signal: 'traces',
    mechanism: `health-check client spans from ${HEALTH_CHECKER_SERVICE}, connection refused`,
    defaultComponents: ['api', 'worker'],
    sharesTraces: true,
  },
  quality_drop: {
    eventType: 'quality_check_failed',
    signal: 'logs',
    mechanism: 'ERROR log records with firewatch.event_type=quality_check_failed',
    defaultComponents: ['api', 'worker'],
    sharesTraces: true,
  },
  workflow_failure_spike: {
    eventType: 'workflow_failed',
    signal: 'traces',
    mechanism: 'failed workflow spans with firewatch.event_type=workflow_failed',
    defaultComponents: ['api', 'worker'],
    sharesTraces: true,
  },
  memory_exhaustion: {
    eventType: 'memory_high',
    signal: 'metrics',
    mechanism: 'system.memory.utilization gauge points at 0.91–0.97',
    defaultComponents: ['worker'],
    sharesTraces: false,
  },
  performance_degradation: {
    eventType: 'slow_request',
    signal: 'traces',
    mechanism: 'HTTP server spans slower than the 1000 ms slow-span threshold',
    defaultComponents: ['api', 'worker'],
    sharesTraces: true,
  },
  disk_space_low: {
    eventType: 'disk_space_low',
    signal: 'metrics',
    mechanism: 'system.filesystem.utilization gauge points at 0.91–0.94',
    defaultComponents: ['worker'],
    sharesTraces: false,
  },
};

export function defaultEventsPerComponent(ruleThreshold: number): number {
  return ruleThreshold + DEFAULT_EVENT_MARGIN;
}

export function defaultTimeSpanSeconds(ruleWindowSeconds: number): number {
  return Math.max(1, Math.min(MAX_DEFAULT_TIME_SPAN_SECONDS, Math.floor(ruleWindowSeconds / 2)));
}

export interface SimulationRequest {
  type: SimulatedType;
  /** Unique per run: on every resource, span, log record and point. */
  simulationId: string;
  /** service.name of each simulated component (the unreachable peers for service_down). */
  components: readonly string[];
  eventsPerComponent: number;
  timeSpanMs: number;
  /** Epoch ms: the newest event's time. */
  nowMs: number;
}

export interface SimulationPlan extends TelemetryPlan {
  request: SimulationRequest;
  eventType: string;
  /** Events the receiver's default converters make of this plan, by source: the incident's components. */
  expectedEvents: Record<string, number>;
  eventsTotal: number;
}

/** The telemetry for one simulated incident. Throws on a request the command should have refused. */
export function planSimulation(request: SimulationRequest): SimulationPlan {
  checkRequest(request);
  const profile = SIMULATION_PROFILES[request.type];
  const jitter = createJitter(request.simulationId);
  const context: PlanContext = { request, jitter, sim: { [SIMULATION_ID_ATTRIBUTE]: request.simulationId } };
  const plan: TelemetryPlan = GENERATORS[request.type](context);
  const expectedEvents: Record<string, number> = {};
  for (const component of request.components) expectedEvents[component] = request.eventsPerComponent;
  return {
    ...plan,
    request,
    eventType: profile.eventType,
    expectedEvents,
    eventsTotal: request.components.length * request.eventsPerComponent,
  };
}

/** Why these components cannot be simulated, or null. */
export function checkComponents(components: readonly string[]): string | null {
  if (components.length === 0) return 'needs at least one component';
  if (components.length > MAX_COMPONENTS) return `takes at most ${MAX_COMPONENTS} components, got ${components.length}`;
  const seen = new Set<string>();
  for (const component of components) {
    if (component.length > MAX_COMPONENT_NAME_LENGTH) return `component names are at most ${MAX_COMPONENT_NAME_LENGTH} characters`;
    if (!/^[\p{L}\p{N}._:/-]+$/u.test(component)) {
      return `component ${JSON.stringify(component)} may hold only letters, digits and . _ : / -`;
    }
    if (component === HEALTH_CHECKER_SERVICE) return `${HEALTH_CHECKER_SERVICE} is the simulator's own service name`;
    if (seen.has(component)) return `component ${JSON.stringify(component)} is named twice`;
    seen.add(component);
  }
  return null;
}

function checkRequest(request: SimulationRequest): void {
  const problem = checkComponents(request.components);
  if (problem !== null) throw new Error(`components: ${problem}`);
  const count = request.eventsPerComponent;
  if (!Number.isInteger(count) || count < 1 || count > MAX_EVENTS_PER_COMPONENT) {
    throw new Error(`eventsPerComponent: must be a whole number from 1 to ${MAX_EVENTS_PER_COMPONENT}, got ${count}`);
  }
  if (!Number.isFinite(request.timeSpanMs) || request.timeSpanMs < 0) throw new Error(`timeSpanMs: must be ≥ 0, got ${request.timeSpanMs}`);
}

interface PlanContext {
  request: SimulationRequest;
  jitter: () => number;
  sim: PlanAttributes;
}

const GENERATORS: Readonly<Record<SimulatedType, (context: PlanContext) => TelemetryPlan>> = {
  error_burst: errorBurst,
  service_down: serviceDown,
  quality_drop: qualityDrop,
  workflow_failure_spike: workflowFailures,
  memory_exhaustion: (context) => gaugeSeries(context, memoryReadings),
  performance_degradation: slowRequests,
  disk_space_low: (context) => gaugeSeries(context, diskReadings),
};

/** End times of the operations: spread over the time span, leaving room for each operation's nesting. */
function operationTimes(request: SimulationRequest, count = request.eventsPerComponent): number[] {
  const lead = Math.min(OPERATION_LEAD_MS, request.timeSpanMs);
  return spreadTimes(count, request.nowMs - request.timeSpanMs + lead, request.nowMs);
}

/** What a span of a chain looks like at `level` (0 = the component called first). */
type ChainStep = Omit<SpanPlan, 'startMs' | 'durationMs' | 'children'> & { durationMs: number };

/**
 * One span per component, each the child of the previous component's span: components[0] calls components[1]
 * calls …, the way a request crosses services. The root ends at `endMs`; each child ends 1 ms before its parent
 * and starts after it (its duration shortened to fit when needed, lengthened to leave its own children room).
 */
export function chainSpans(components: readonly string[], endMs: number, step: (component: string, level: number) => ChainStep): SpanPlan {
  let root: SpanPlan | undefined;
  let parent: SpanPlan | undefined;
  components.forEach((component, level) => {
    const spec = step(component, level);
    const end = endMs - level;
    const earliestStart = parent === undefined ? -Infinity : parent.startMs + 1;
    // Room for the rest of the chain to nest: every deeper span needs ≥ 1 ms after this one starts and before it ends.
    const minimum = (components.length - level) * 2 + 2;
    const start = Math.max(earliestStart, end - Math.max(minimum, Math.round(spec.durationMs)));
    const span: SpanPlan = { ...spec, startMs: start, durationMs: Math.max(0, end - start) };
    if (parent === undefined) root = span;
    else parent.children = [span];
    parent = span;
  });
  return root!;
}

function httpServerAttributes(method: string, route: string, status: number, service: string): PlanAttributes {
  return {
    'http.request.method': method,
    'http.route': route,
    'url.path': route,
    'url.scheme': 'http',
    'http.response.status_code': status,
    'server.address': service,
    'server.port': 8080,
  };
}

function routeOf(level: number, service: string, method: string, entryRoute: string): { method: string; route: string } {
  return level === 0 ? { method, route: entryRoute } : { method, route: `/v1/${service}/${entryRoute.split('/').pop()}` };
}

/** Distinct users behind the failing requests: the engine's blast radius (users_affected). */
const SIMULATED_USERS = 7;

function errorBurst({ request, jitter, sim }: PlanContext): TelemetryPlan {
  const { components } = request;
  const last = components.length - 1;
  const traces: SpanPlan[] = [];
  operationTimes(request).forEach((endMs, i) => {
    traces.push(
      chainSpans(components, endMs, (service, level) => {
        const { method, route } = routeOf(level, service, 'POST', '/api/orders');
        const downstream = components[level + 1];
        return {
          service,
          name: `${method} ${route}`,
          kind: 'server',
          durationMs: 60 + Math.round(jitter() * 180) - level * 10,
          attributes: {
            ...httpServerAttributes(method, route, 500, service),
            'error.type': '500',
            ...(level === 0 ? { 'enduser.id': `user-${(i % SIMULATED_USERS) + 1}` } : {}),
            ...sim,
          },
          error:
            level === last
              ? { message: `order ${1000 + i} could not be processed: deadline exceeded`, exceptionType: 'TimeoutError' }
              : { message: `${downstream} answered 500`, exceptionType: 'UpstreamError' },
        };
      }),
    );
  });
  // Ordinary traffic around the failures: two successful requests for each failed one, as a burst looks in
  // production (and a third of the requests failing is an error burst, not yet the outage the engine escalates).
  operationTimes(request, request.eventsPerComponent * 2).forEach((endMs) => {
    traces.push(
      chainSpans(components, endMs, (service, level) => {
        const { method, route } = routeOf(level, service, 'POST', '/api/orders');
        return {
          service,
          name: `${method} ${route}`,
          kind: 'server',
          durationMs: 30 + Math.round(jitter() * 90) - level * 5,
          attributes: { ...httpServerAttributes(method, route, 200, service), ...sim },
        };
      }),
    );
  });
  return { traces, metrics: [] };
}

/** The port the health checker probes. */
const HEALTH_PORT = 8080;
const PROBE_ROUND_MS = 12;

function serviceDown({ request, jitter, sim }: PlanContext): TelemetryPlan {
  const traces = operationTimes(request).map((endMs): SpanPlan => {
    const start = endMs - PROBE_ROUND_MS;
    return {
      service: HEALTH_CHECKER_SERVICE,
      name: 'health-check round',
      kind: 'internal',
      startMs: start,
      durationMs: PROBE_ROUND_MS,
      attributes: { ...sim },
      // The probes run in parallel; a refused connection fails within a few milliseconds.
      children: request.components.map((peer): SpanPlan => ({
        service: HEALTH_CHECKER_SERVICE,
        name: 'GET /health',
        kind: 'client',
        startMs: start + 1,
        durationMs: 1 + Math.round(jitter() * (PROBE_ROUND_MS - 3)),
        attributes: {
          'peer.service': peer,
          'server.address': peer,
          'server.port': HEALTH_PORT,
          'url.full': `http://${peer}:${HEALTH_PORT}/health`,
          'http.request.method': 'GET',
          'error.type': 'ECONNREFUSED',
          ...sim,
        },
        error: { message: `connect ECONNREFUSED ${peer}:${HEALTH_PORT}`, exceptionType: 'Error' },
      })),
    };
  });
  return { traces, metrics: [] };
}

const COVERAGE_BEFORE = 85;
const COVERAGE_THRESHOLD = 80;

function qualityDrop({ request, jitter, sim }: PlanContext): TelemetryPlan {
  const traces = operationTimes(request).map((endMs, i) =>
    chainSpans(request.components, endMs, (service, level) => {
      // Coverage between 70 and 78 %: under the 80 % gate, above the 50 % at which the engine escalates.
      const coverage = 70 + Math.round(jitter() * 8);
      const log: LogPlan = {
        timeMs: endMs - level,
        severity: 'ERROR',
        body: `Coverage of ${service} dropped from ${COVERAGE_BEFORE}% to ${coverage}% (gate ${COVERAGE_THRESHOLD}%)`,
        attributes: {
          'firewatch.event_type': 'quality_check_failed',
          metric: 'coverage',
          value: coverage,
          previous: COVERAGE_BEFORE,
          threshold: COVERAGE_THRESHOLD,
          'vcs.ref.head.revision': `r${4200 + i}`,
          ...sim,
        },
      };
      return {
        service,
        name: level === 0 ? 'quality-gate' : `quality-gate ${service}`,
        kind: 'internal',
        durationMs: 150 + Math.round(jitter() * 300),
        attributes: { 'cicd.pipeline.name': 'quality-gate', ...sim },
        logs: [log],
      };
    }),
  );
  return { traces, metrics: [] };
}

const WORKFLOW_ID = 'data_pipeline_v2';

function workflowFailures({ request, jitter, sim }: PlanContext): TelemetryPlan {
  const last = request.components.length - 1;
  const traces = operationTimes(request).map((endMs, i) =>
    chainSpans(request.components, endMs, (service, level) => ({
      service,
      name: level === 0 ? `workflow ${WORKFLOW_ID}` : `workflow step ${service}`,
      kind: 'internal',
      durationMs: 200 + Math.round(jitter() * 500) - level * 10,
      attributes: {
        'firewatch.event_type': 'workflow_failed',
        'workflow.id': WORKFLOW_ID,
        'workflow.run_id': `run-${i + 1}`,
        ...sim,
      },
      error:
        level === last
          ? { message: `workflow ${WORKFLOW_ID} run-${i + 1}: step ${service} timed out after 300 s`, exceptionType: 'WorkflowTimeout' }
          : { message: `workflow ${WORKFLOW_ID} run-${i + 1} failed: step ${request.components[level + 1]} failed`, exceptionType: 'WorkflowStepFailed' },
    })),
  );
  return { traces, metrics: [] };
}

/** Root durations 3.0–4.5 s; each hop 100–150 ms shorter, never under this (well over the 1000 ms threshold). */
const SLOW_ROOT_MS = 3000;
const SLOW_FLOOR_MS = 1200;

function slowRequests({ request, jitter, sim }: PlanContext): TelemetryPlan {
  const traces = operationTimes(request).map((endMs) => {
    let previous = SLOW_ROOT_MS + Math.round(jitter() * 1500);
    return chainSpans(request.components, endMs, (service, level) => {
      const { method, route } = routeOf(level, service, 'GET', '/api/search');
      if (level > 0) previous = Math.max(SLOW_FLOOR_MS, previous - 100 - Math.round(jitter() * 50));
      return {
        service,
        name: `${method} ${route}`,
        kind: 'server',
        durationMs: previous,
        attributes: { ...httpServerAttributes(method, route, 200, service), ...sim },
      };
    });
  });
  return { traces, metrics: [] };
}

/** Readings of one collection; `progress` runs from 0 (first) to 1 (last). */
type ReadingsAt = (progress: number, sim: PlanAttributes) => MetricCollectionPlan['readings'];

function gaugeSeries({ request, sim }: PlanContext, readingsAt: ReadingsAt): TelemetryPlan {
  const times = spreadTimes(request.eventsPerComponent, request.nowMs - request.timeSpanMs, request.nowMs);
  const metrics: MetricCollectionPlan[] = [];
  for (const service of request.components) {
    times.forEach((timeMs, i) => {
      metrics.push({ service, timeMs, readings: readingsAt(times.length === 1 ? 1 : i / (times.length - 1), sim) });
    });
  }
  return { traces: [], metrics };
}

function roundRatio(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Used memory climbing from 91 % to 97 % (free memory reported too, as host metrics do; it matches no rule). */
function memoryReadings(progress: number, sim: PlanAttributes): MetricCollectionPlan['readings'] {
  const used = roundRatio(0.91 + 0.06 * progress);
  return [
    { metric: 'system.memory.utilization', unit: '1', value: used, attributes: { 'system.memory.state': 'used', ...sim } },
    { metric: 'system.memory.utilization', unit: '1', value: roundRatio(1 - used), attributes: { 'system.memory.state': 'free', ...sim } },
  ];
}

/** A filesystem filling from 91 % to 94 %: low, but over the 5 % free at which the engine escalates. */
function diskReadings(progress: number, sim: PlanAttributes): MetricCollectionPlan['readings'] {
  return [
    {
      metric: 'system.filesystem.utilization',
      unit: '1',
      value: roundRatio(0.91 + 0.03 * progress),
      attributes: { 'system.device': '/dev/sda1', 'system.filesystem.mountpoint': '/var/lib/data', ...sim },
    },
  ];
}
