// Realistic ExportLogsServiceRequests and ExportMetricsServiceRequests as plain objects for the oracle encoder
// (otlp-oracle.ts), shared by tests and bench/logs-metrics.bench.ts so that both see the same shape of traffic:
// application logs (mostly INFO, a few ERRORs with exception attributes, trace context on each), and the metrics a
// host + HTTP service exports (memory, filesystem, CPU time, request durations), few of them crossing a threshold.

import { attributes, idBytes, nanos } from './trace-fixtures.js';

const BASE_MS = 1_700_000_000_000;

export interface RealisticLogsOptions {
  records: number;
  /** Share of ERROR records, e.g. 0.02. */
  errorRate: number;
  seed: number;
  service?: string;
}

const LOG_ROUTES = ['/api/users/:id', '/api/orders', '/api/cart/items', '/api/search'];

export function realisticLogsRequest(options: RealisticLogsOptions): Record<string, unknown> {
  const { records: count, errorRate, seed } = options;
  const errorEvery = errorRate > 0 ? Math.round(1 / errorRate) : Number.POSITIVE_INFINITY;
  const logRecords: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const failed = (i + 1) % errorEvery === 0;
    const route = LOG_ROUTES[i % LOG_ROUTES.length]!;
    const time = nanos(BASE_MS + seed * 1000 + i, i * 31);
    const common = {
      'http.route': route,
      'code.function': 'handleRequest',
      'thread.id': 1 + (i % 8),
      'enduser.id': `user-${(seed * 7 + i) % 500}`,
    };
    logRecords.push({
      timeUnixNano: time,
      observedTimeUnixNano: time,
      severityNumber: failed ? 17 : 9,
      severityText: failed ? 'ERROR' : 'INFO',
      body: {
        stringValue: failed
          ? `request to ${route} failed: upstream payment service answered 502 after 3 retries`
          : `handled ${route} in ${3 + (i % 40)} ms for tenant acme-${i % 16}`,
      },
      attributes: attributes(
        failed
          ? { ...common, 'exception.type': 'UpstreamError', 'exception.message': 'payment service answered 502' }
          : common,
      ),
      traceId: idBytes(16, seed * 100_003 + i),
      spanId: idBytes(8, seed * 200_003 + i),
      flags: 1,
    });
  }
  return {
    resourceLogs: [
      {
        resource: {
          attributes: attributes({
            'service.name': options.service ?? 'checkout',
            'service.version': '1.4.2',
            'deployment.environment.name': 'production',
            'host.name': 'checkout-7d9f8c-x2k4q',
          }),
        },
        scopeLogs: [{ scope: { name: 'pino', version: '9.0.0' }, logRecords }],
      },
    ],
  };
}

export interface RealisticMetricsOptions {
  /** Collection number: times advance 10 s per tick and cumulative counts grow with it. */
  tick: number;
  /** Make the memory gauge cross its default threshold, and this tick's requests on one route slow. */
  hot?: boolean;
  /**
   * How many ticks so far (this one included) had slow requests on that route: its cumulative slow-bucket count.
   * Default: every tick so far when `hot`, else none.
   */
  slowTicks?: number;
  service?: string;
}

/** The semantic conventions' advised bucket boundaries for http.server.request.duration (seconds). */
export const HTTP_DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const MEMORY_STATES = ['used', 'free', 'cached', 'buffered'];
const DEVICES = ['sda1', 'sda2', 'nvme0n1p1', 'tmpfs'];
const CPU_STATES = ['user', 'system', 'idle', 'iowait'];
const HTTP_ROUTES = ['/api/users/:id', '/api/orders', '/api/cart/items', '/api/search', '/healthz'];
const HTTP_METHODS = ['GET', 'POST'];

/**
 * About 100 points: 4 memory gauges, 4 filesystem gauges, 16 cumulative CPU-time sums, 2 up-down sums,
 * 10 cumulative request-duration histograms (14 bounds), 8 unwatched DB histograms and 56 unwatched gauges/sums.
 */
export function realisticMetricsRequest(options: RealisticMetricsOptions): Record<string, unknown> {
  const { tick } = options;
  const hot = options.hot === true;
  const slowTicks = options.slowTicks ?? (hot ? tick + 1 : 0);
  const start = nanos(BASE_MS);
  const time = nanos(BASE_MS + (tick + 1) * 10_000);
  const gaugePoint = (value: number, attrs: Record<string, string | number>) => ({
    timeUnixNano: time,
    asDouble: value,
    attributes: attributes(attrs),
  });
  const sumPoint = (value: number, attrs: Record<string, string | number>) => ({
    startTimeUnixNano: start,
    timeUnixNano: time,
    asDouble: value,
    attributes: attributes(attrs),
  });
  const histogramPoint = (slowSeries: boolean, index: number, attrs: Record<string, string | number>) => {
    // Per tick each series sees ~36 requests, all fast; the slow series adds 5 past 2.5 s in each slow tick.
    const perTick: number[] = HTTP_DURATION_BOUNDS.map((_bound, b) => (b < 5 ? 6 : b < 8 ? 2 : 0));
    perTick.push(0);
    const cumulative = perTick.map((count) => count * (tick + 1) + index);
    if (slowSeries) cumulative[11]! += 5 * slowTicks;
    const slow = slowSeries && slowTicks > 0;
    const counts = cumulative.map(String);
    const total = counts.reduce((sum, count) => sum + Number(count), 0);
    return {
      startTimeUnixNano: start,
      timeUnixNano: time,
      count: String(total),
      sum: total * 0.09,
      bucketCounts: counts,
      explicitBounds: HTTP_DURATION_BOUNDS,
      min: 0.001,
      max: slow ? 4.2 : 0.6,
      attributes: attributes(attrs),
    };
  };
  const metrics: Record<string, unknown>[] = [
    {
      name: 'system.memory.utilization',
      unit: '1',
      gauge: {
        dataPoints: MEMORY_STATES.map((state, i) =>
          gaugePoint(state === 'used' ? (hot ? 0.95 : 0.62) : [0, 0.2, 0.12, 0.06][i]!, { 'system.memory.state': state }),
        ),
      },
    },
    {
      name: 'system.filesystem.utilization',
      unit: '1',
      gauge: { dataPoints: DEVICES.map((device, i) => gaugePoint(0.3 + i * 0.1, { 'system.device': device, 'system.filesystem.mode': 'rw' })) },
    },
    {
      name: 'system.cpu.time',
      unit: 's',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: CPU_STATES.flatMap((state) =>
          [0, 1, 2, 3].map((cpu) => sumPoint(1000 * (tick + 1) + cpu * 17, { 'cpu.logical_number': cpu, 'cpu.mode': state })),
        ),
      },
    },
    {
      name: 'http.server.active_requests',
      unit: '{request}',
      sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: HTTP_METHODS.map((method, i) => sumPoint(3 + i, { 'http.request.method': method })) },
    },
    {
      name: 'http.server.request.duration',
      unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: HTTP_ROUTES.flatMap((route, r) =>
          HTTP_METHODS.map((method, m) =>
            histogramPoint(r === 1 && m === 1, r * 2 + m, {
              'http.route': route,
              'http.request.method': method,
              'http.response.status_code': 200,
            }),
          ),
        ),
      },
    },
    {
      name: 'db.client.operation.duration',
      unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].flatMap((operation, o) =>
          ['orders', 'users'].map((table, t) => histogramPoint(false, o * 2 + t, { 'db.operation.name': operation, 'db.collection.name': table })),
        ),
      },
    },
  ];
  // The long tail of metrics nobody watches: runtime gauges and counters.
  for (let m = 0; m < 14; m++) {
    metrics.push({
      name: `process.runtime.nodejs.metric_${m}`,
      unit: '1',
      [m % 2 === 0 ? 'gauge' : 'sum']: {
        ...(m % 2 === 0 ? {} : { aggregationTemporality: 2, isMonotonic: true }),
        dataPoints: [0, 1, 2, 3].map((k) => (m % 2 === 0 ? gaugePoint(k * 0.25, { kind: `k${k}` }) : sumPoint(k * 100 * (tick + 1), { kind: `k${k}` }))),
      },
    });
  }
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: attributes({
            'service.name': options.service ?? 'checkout',
            'service.instance.id': 'checkout-7d9f8c-x2k4q',
            'host.name': 'node-17',
          }),
        },
        scopeMetrics: [{ scope: { name: '@opentelemetry/host-metrics', version: '0.36.0' }, metrics }],
      },
    ],
  };
}
