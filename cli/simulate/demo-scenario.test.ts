// The demo's script as data: phases in order and long enough to raise their incidents at every allowed duration,
// failures that cascade through one trace from the database up, and memory that only crosses 90 % at the end.

import { describe, expect, it } from 'vitest';
import {
  checkoutTrace,
  DEFAULT_DEMO_DURATION_SECONDS,
  DEMO_PHASES,
  demoPhaseAt,
  demoTicks,
  MAX_DEMO_DURATION_SECONDS,
  MIN_DEMO_DURATION_SECONDS,
  planDemoTick,
  type DemoTick,
} from './demo-scenario.js';
import { createJitter, flattenSpans } from './telemetry-plan.js';

const SIM = { 'firewatch.simulation_id': 'sim-demo' };

function run(durationSeconds: number): DemoTick[] {
  const ticks = demoTicks(durationSeconds);
  const jitter = createJitter('sim-demo');
  const out: DemoTick[] = [];
  let seq = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const step = planDemoTick({ tick, ticks, nowMs: 1_000_000 + tick * 500, requestSeq: seq, jitter, sim: SIM });
    seq += step.requests;
    out.push(step);
  }
  return out;
}

function paymentsMemory(step: DemoTick): number {
  const collection = step.plan.metrics.find((c) => c.service === 'payments')!;
  return collection.readings.find((r) => r.attributes['system.memory.state'] === 'used')!.value;
}

describe('demo phases', () => {
  it.each([MIN_DEMO_DURATION_SECONDS, 5, DEFAULT_DEMO_DURATION_SECONDS, 60, MAX_DEMO_DURATION_SECONDS])(
    'at %i s: healthy, then failing, then memory, each present and in order',
    (duration) => {
      const ticks = demoTicks(duration);
      const phases = Array.from({ length: ticks }, (_, tick) => demoPhaseAt(tick, ticks).phase);
      const order = phases.filter((phase, i) => i === 0 || phases[i - 1] !== phase);
      expect(order).toEqual(DEMO_PHASES.map((p) => p.id));
      expect(phases.filter((p) => p === 'memory').length).toBeGreaterThanOrEqual(3);
    },
  );

  it('fails enough requests for an error burst and crosses 90 % memory at least three times, only at the end', () => {
    for (const duration of [MIN_DEMO_DURATION_SECONDS, DEFAULT_DEMO_DURATION_SECONDS]) {
      const steps = run(duration);
      // payments yields three events per failed request (database span, server span, ERROR log): 10 needs 4.
      expect(steps.reduce((n, s) => n + s.failed, 0)).toBeGreaterThanOrEqual(4);
      const high = steps.filter((s) => paymentsMemory(s) >= 0.9);
      expect(high.length).toBeGreaterThanOrEqual(3);
      expect(high.every((s) => s.phase === 'memory')).toBe(true);
      for (const s of steps) {
        expect(s.plan.metrics.find((c) => c.service === 'checkout')!.readings[0]!.value).toBeLessThan(0.9);
        if (s.phase === 'healthy') expect(s.failed).toBe(0);
      }
    }
  });

  it('keeps one request in five succeeding while payments fails', () => {
    const failing = run(DEFAULT_DEMO_DURATION_SECONDS).filter((s) => s.phase !== 'healthy');
    const requests = failing.reduce((n, s) => n + s.requests, 0);
    const failed = failing.reduce((n, s) => n + s.failed, 0);
    expect(failed / requests).toBeGreaterThan(0.7);
    expect(failed).toBeLessThan(requests);
  });
});

describe('checkoutTrace', () => {
  const jitter = () => 0.5;

  it('fails from the database up through every hop of one trace, with an ERROR log in payments', () => {
    const spans = flattenSpans(checkoutTrace(7, 50_000, true, jitter, SIM));
    expect(spans.map((s) => `${s.service} ${s.kind} ${s.name}`)).toEqual([
      'frontend server POST /checkout',
      'frontend client POST',
      'checkout server POST /api/checkout',
      'checkout client POST',
      'payments server POST /api/payments',
      'payments client INSERT payments',
    ]);
    expect(spans.every((s) => s.error !== undefined)).toBe(true);
    const db = spans.at(-1)!;
    expect(db.attributes['db.system']).toBe('postgresql');
    const payments = spans.find((s) => s.name === 'POST /api/payments')!;
    expect(payments.logs).toHaveLength(1);
    expect(payments.logs![0]).toMatchObject({ severity: 'ERROR', attributes: { 'exception.type': 'PoolTimeoutError' } });
  });

  it('never looks like an unreachable service or a slow request, and nests every span', () => {
    for (const fails of [true, false]) {
      const root = checkoutTrace(3, 50_000, fails, jitter, SIM);
      expect(root.startMs + root.durationMs).toBe(50_000);
      for (const span of flattenSpans(root)) {
        expect(span.durationMs).toBeLessThan(1000);
        expect(span.attributes['http.response.status_code']).not.toBe(503);
        expect(span.error?.message ?? '').not.toMatch(/refused|ECONNREFUSED/i);
        expect(span.attributes['firewatch.simulation_id']).toBe('sim-demo');
        for (const child of span.children ?? []) {
          expect(child.startMs).toBeGreaterThanOrEqual(span.startMs);
          expect(child.startMs + child.durationMs).toBeLessThanOrEqual(span.startMs + span.durationMs);
        }
      }
    }
  });

  it('succeeds everywhere when the request succeeds', () => {
    const spans = flattenSpans(checkoutTrace(4, 50_000, false, jitter, SIM));
    expect(spans.every((s) => s.error === undefined && (s.logs ?? []).length === 0)).toBe(true);
  });
});
