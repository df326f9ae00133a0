// `firewatch demo`: a small shop whose payments database gives out, as telemetry, one tick (half a second) at a time.
//
//   frontend ──POST /checkout──▶ checkout ──POST /api/payments──▶ payments ──INSERT──▶ postgresql (payments-db)
//
//   phase      share of the run          traces                                          payments memory
//   healthy    first ~30 %               all succeed                                     55 → 62 %
//   failing    until the last ~35 %      4 in 5 fail: the pool times out (database_       62 → 88 %
//                                        connection_error), payments answers 500, checkout
//                                        502, frontend 500 (api_error, and error on the
//                                        client spans), payments logs an ERROR per failure
//   memory     the last ~35 % (≥ 3 ticks) failures go on; memory over 90 %                91 → 97 %
//
// Expected incidents with the built-in rules: error_burst (payments first, then checkout and frontend through the
// shared traces) and memory_exhaustion (payments). Real time: every tick's telemetry is stamped with the moment
// it is sent, as a live system's would be.

import type { LogPlan, MetricCollectionPlan, PlanAttributes, SpanPlan, TelemetryPlan } from './telemetry-plan.js';

export const DEMO_SERVICES = ['frontend', 'checkout', 'payments'] as const;
export const DEMO_TICK_MS = 500;
export const DEFAULT_DEMO_DURATION_SECONDS = 15;
export const MIN_DEMO_DURATION_SECONDS = 4;
export const MAX_DEMO_DURATION_SECONDS = 300;
const TRACES_PER_TICK = 2;
/** In the failing phases, every FAILURE_CYCLE-th request still gets through. */
const FAILURE_CYCLE = 5;
const HEALTHY_SHARE = 0.3;
const MEMORY_SHARE = 0.35;
const MIN_MEMORY_TICKS = 3;

export type DemoPhaseId = 'healthy' | 'failing' | 'memory';

export const DEMO_PHASES: readonly { id: DemoPhaseId; narration: string }[] = [
  { id: 'healthy', narration: 'healthy: frontend → checkout → payments serving checkouts, every request succeeds' },
  {
    id: 'failing',
    narration:
      "payments' database starts failing (connection pool timeouts): payments answers 500, checkout 502, frontend 500 in the same traces; payments logs ERRORs",
  },
  { id: 'memory', narration: 'failed payments pile up: payments memory climbs past 90 % while the failures go on' },
];

/** Ticks of a run of `durationSeconds`. */
export function demoTicks(durationSeconds: number): number {
  return Math.max(1, Math.round((durationSeconds * 1000) / DEMO_TICK_MS));
}

/** Which phase tick `tick` (0-based) of `ticks` belongs to, and how far into that phase it is (0 … 1). */
export function demoPhaseAt(tick: number, ticks: number): { phase: DemoPhaseId; progress: number } {
  const memoryTicks = Math.min(ticks, Math.max(MIN_MEMORY_TICKS, Math.ceil(ticks * MEMORY_SHARE)));
  const healthyTicks = Math.min(ticks - memoryTicks, Math.max(1, Math.floor(ticks * HEALTHY_SHARE)));
  const failingTicks = ticks - memoryTicks - healthyTicks;
  const progress = (index: number, length: number) => (length <= 1 ? 1 : index / (length - 1));
  if (tick < healthyTicks) return { phase: 'healthy', progress: progress(tick, healthyTicks) };
  if (tick < healthyTicks + failingTicks) return { phase: 'failing', progress: progress(tick - healthyTicks, failingTicks) };
  return { phase: 'memory', progress: progress(tick - healthyTicks - failingTicks, memoryTicks) };
}

const MEMORY_RANGES: Readonly<Record<DemoPhaseId, readonly [number, number]>> = {
  healthy: [0.55, 0.62],
  failing: [0.62, 0.88],
  memory: [0.91, 0.97],
};

export function demoMemoryUtilization(phase: DemoPhaseId, progress: number): number {
  const [from, to] = MEMORY_RANGES[phase];
  return Math.round((from + (to - from) * progress) * 1000) / 1000;
}

export interface DemoTickInput {
  tick: number;
  ticks: number;
  nowMs: number;
  /** Counts requests across ticks (order numbers, which ones still succeed). */
  requestSeq: number;
  jitter: () => number;
  sim: PlanAttributes;
}

export interface DemoTick {
  phase: DemoPhaseId;
  plan: TelemetryPlan;
  /** Requests in the tick, and how many of them failed. */
  requests: number;
  failed: number;
  memoryUtilization: number;
}

/** The telemetry of one tick: its requests (ending by `nowMs`) and one memory reading per service. */
export function planDemoTick(input: DemoTickInput): DemoTick {
  const { phase, progress } = demoPhaseAt(input.tick, input.ticks);
  const traces: SpanPlan[] = [];
  let failed = 0;
  for (let r = 0; r < TRACES_PER_TICK; r++) {
    const seq = input.requestSeq + r;
    const fails = phase !== 'healthy' && seq % FAILURE_CYCLE !== FAILURE_CYCLE - 1;
    if (fails) failed++;
    const endMs = input.nowMs - (TRACES_PER_TICK - 1 - r) * Math.floor(DEMO_TICK_MS / TRACES_PER_TICK);
    traces.push(checkoutTrace(seq, endMs, fails, input.jitter, input.sim));
  }
  const memoryUtilization = demoMemoryUtilization(phase, progress);
  const metrics: MetricCollectionPlan[] = [
    memoryCollection('payments', input.nowMs, memoryUtilization, input.sim),
    memoryCollection('checkout', input.nowMs, 0.41 + Math.round(input.jitter() * 40) / 1000, input.sim),
  ];
  return { phase, plan: { traces, metrics }, requests: TRACES_PER_TICK, failed, memoryUtilization };
}

function memoryCollection(service: string, timeMs: number, used: number, sim: PlanAttributes): MetricCollectionPlan {
  return {
    service,
    timeMs,
    readings: [
      { metric: 'system.memory.utilization', unit: '1', value: used, attributes: { 'system.memory.state': 'used', ...sim } },
      { metric: 'system.memory.utilization', unit: '1', value: Math.round((1 - used) * 1000) / 1000, attributes: { 'system.memory.state': 'free', ...sim } },
    ],
  };
}

function http(method: string, route: string, status: number, extra: PlanAttributes = {}): PlanAttributes {
  return { 'http.request.method': method, 'http.route': route, 'url.path': route, 'http.response.status_code': status, ...extra };
}

/**
 * One checkout request: frontend → checkout → payments → database, each hop a server span with a client span for
 * its call. Durations in ms; every span ends by `endMs`. A failing request fails from the database up.
 */
export function checkoutTrace(seq: number, endMs: number, fails: boolean, jitter: () => number, sim: PlanAttributes): SpanPlan {
  const order = `ord_${10_000 + seq}`;
  const user = `user-${(seq % 11) + 1}`;
  // A failing request waits for the pool's timeout (scaled down: the demo is fast), a healthy one is quick.
  const dbMs = fails ? 180 + Math.round(jitter() * 60) : 4 + Math.round(jitter() * 8);
  const paymentsMs = dbMs + 12;
  const checkoutMs = paymentsMs + 20;
  const frontendMs = checkoutMs + 25;
  const start = endMs - frontendMs;
  const at = (offset: number) => start + offset;

  const dbError = fails ? { message: 'timeout acquiring a connection from the pool after 180 ms (pool size 20, 20 in use)', exceptionType: 'PoolTimeoutError' } : undefined;
  const paymentLogs: LogPlan[] = fails
    ? [
        {
          timeMs: at(20 + paymentsMs) - 2,
          severity: 'ERROR',
          body: `payment for ${order} failed: could not get a database connection`,
          attributes: { 'exception.type': 'PoolTimeoutError', 'enduser.id': user, 'order.id': order, ...sim },
        },
      ]
    : [];

  const database: SpanPlan = {
    service: 'payments',
    name: 'INSERT payments',
    kind: 'client',
    startMs: at(26),
    durationMs: dbMs,
    attributes: { 'db.system': 'postgresql', 'db.operation.name': 'INSERT', 'db.collection.name': 'payments', 'server.address': 'payments-db', 'server.port': 5432, ...sim },
    ...(dbError ? { error: dbError } : {}),
  };
  const payments: SpanPlan = {
    service: 'payments',
    name: 'POST /api/payments',
    kind: 'server',
    startMs: at(20),
    durationMs: paymentsMs,
    attributes: http('POST', '/api/payments', fails ? 500 : 201, { ...sim }),
    ...(fails ? { error: { message: 'could not reach the payments database', exceptionType: 'PoolTimeoutError' } } : {}),
    logs: paymentLogs,
    children: [database],
  };
  const callPayments: SpanPlan = {
    service: 'checkout',
    name: 'POST',
    kind: 'client',
    startMs: at(18),
    durationMs: paymentsMs + 4,
    attributes: http('POST', '/api/payments', fails ? 500 : 201, { 'peer.service': 'payments', 'server.address': 'payments', 'server.port': 8080, ...sim }),
    ...(fails ? { error: { message: 'payments answered 500' } } : {}),
    children: [payments],
  };
  const checkout: SpanPlan = {
    service: 'checkout',
    name: 'POST /api/checkout',
    kind: 'server',
    startMs: at(10),
    durationMs: checkoutMs + 8,
    attributes: http('POST', '/api/checkout', fails ? 502 : 200, { 'order.id': order, ...sim }),
    ...(fails ? { error: { message: 'payment failed: payments answered 500' } } : {}),
    children: [callPayments],
  };
  const callCheckout: SpanPlan = {
    service: 'frontend',
    name: 'POST',
    kind: 'client',
    startMs: at(6),
    durationMs: checkoutMs + 14,
    attributes: http('POST', '/api/checkout', fails ? 502 : 200, { 'peer.service': 'checkout', 'server.address': 'checkout', 'server.port': 8080, ...sim }),
    ...(fails ? { error: { message: 'checkout answered 502' } } : {}),
    children: [checkout],
  };
  return {
    service: 'frontend',
    name: 'POST /checkout',
    kind: 'server',
    startMs: start,
    durationMs: frontendMs,
    attributes: http('POST', '/checkout', fails ? 500 : 200, { 'enduser.id': user, ...sim }),
    ...(fails ? { error: { message: 'checkout failed: please try again' } } : {}),
    children: [callCheckout],
  };
}
