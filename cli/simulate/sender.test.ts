// The simulator's telemetry through the real path up to the engine: SDK → OTLP/gRPC → receiver → default converters.
// For each of the seven rule types, every event is of the type the built-in rule counts, from the planned sources,
// in the planned numbers, at the planned times, and the span-based ones share a trace per operation.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventDraft } from '../../engine/types.js';
import { createOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../../receiver/grpc-receiver.js';
import { createRecordingConsumer, type RecordingConsumer } from '../../test/helpers/receiver/recording-consumer.js';
import { createTelemetrySender, SendError } from './sender.js';
import { HEALTH_CHECKER_SERVICE, planSimulation, SIMULATED_TYPES, SIMULATION_ID_ATTRIBUTE } from './simulations.js';

describe('telemetry sender with the real receiver and converters', () => {
  let consumer: RecordingConsumer;
  let receiver: OtlpGrpcReceiver;
  let endpoint: string;

  beforeAll(async () => {
    consumer = createRecordingConsumer();
    receiver = createOtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, consumer);
    const { port } = await receiver.start();
    endpoint = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await receiver.stop();
  });
  beforeEach(() => {
    consumer.batches.length = 0;
  });

  it.each(SIMULATED_TYPES)('%s: exactly the planned events of the rule\'s type', async (type) => {
    // prepare
    const nowMs = Date.now();
    const plan = planSimulation({ type, simulationId: `sim-test-${type}`, components: ['svc-a', 'svc-b'], eventsPerComponent: 6, timeSpanMs: 30_000, nowMs });
    const sender = createTelemetrySender({ endpoint, exportTimeoutMs: 5000, resourceAttributes: { [SIMULATION_ID_ATTRIBUTE]: plan.request.simulationId } });

    // act
    const sent = await sender.send(plan).finally(() => sender.shutdown());

    // verify
    const drafts: EventDraft[] = consumer.batches.flatMap((batch) => batch.drafts);
    expect(drafts.map((d) => d.event_type)).toEqual(drafts.map(() => plan.eventType));
    const bySource: Record<string, number> = {};
    for (const draft of drafts) bySource[draft.source] = (bySource[draft.source] ?? 0) + 1;
    expect(bySource).toEqual(plan.expectedEvents);
    for (const draft of drafts) {
      expect(draft.timestamp).toBeGreaterThanOrEqual(nowMs - 30_000);
      expect(draft.timestamp).toBeLessThanOrEqual(nowMs);
    }
    if (plan.traces.length > 0) {
      // Every event belongs to one of the run's traces; one operation's events share its trace.
      const traceIds = new Set(sent.traceIds);
      expect(traceIds.size).toBe(plan.traces.length);
      expect(drafts.every((d) => traceIds.has(d.correlation_id))).toBe(true);
      const perTrace = new Map<string, Set<string>>();
      for (const d of drafts) perTrace.set(d.correlation_id, (perTrace.get(d.correlation_id) ?? new Set()).add(d.source));
      expect([...perTrace.values()].every((sources) => sources.size === 2)).toBe(true);
    } else {
      expect(sent.points).toBe(plan.metrics.reduce((n, c) => n + c.readings.length, 0));
    }
    if (type === 'service_down') {
      expect(drafts.every((d) => d.metadata.caller === HEALTH_CHECKER_SERVICE)).toBe(true);
    }
    if (type === 'quality_drop') {
      expect(drafts[0]!.metadata).toMatchObject({ metric: 'coverage', [SIMULATION_ID_ATTRIBUTE]: 'sim-test-quality_drop' });
    }
  });

  it('reports a receiver that is not there as a SendError naming the endpoint', async () => {
    const sender = createTelemetrySender({ endpoint: '127.0.0.1:1', exportTimeoutMs: 1500 });
    const plan = planSimulation({ type: 'error_burst', simulationId: 'sim-x', components: ['a'], eventsPerComponent: 1, timeSpanMs: 0, nowMs: Date.now() });
    const failure = await sender.send(plan).then(
      () => undefined,
      (error: unknown) => error,
    );
    await sender.shutdown();
    expect(failure).toBeInstanceOf(SendError);
    expect((failure as Error).message).toContain('127.0.0.1:1');
  });
});
