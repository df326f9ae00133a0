import { describe, expect, it } from 'vitest';
import { burst, draft, testEngine } from '../test/helpers/engine-fixtures.js';
import { testIncident } from '../test/helpers/respond-fixtures.js';
import { MAX_RELATED_INCIDENTS, relateOnOpen } from './related-incidents.js';
import { T0, MINUTE } from '../test/helpers/engine-fixtures.js';

const holder = (overrides: Parameters<typeof testIncident>[0]) => ({ incident: testIncident(overrides) });

describe('relateOnOpen', () => {
  it('links an incident with the open incidents sharing a component, both ways, with a note in each', () => {
    const opened = testIncident({ incident_id: 'inc_00003', incident_type: 'memory_exhaustion', affected_components: ['payments'], notes: [] });
    const burst = holder({ incident_id: 'inc_00001', affected_components: ['checkout', 'payments'], notes: [] });
    const elsewhere = holder({ incident_id: 'inc_00002', affected_components: ['search'], notes: [] });
    const over = holder({ incident_id: 'inc_00004', status: 'resolved', affected_components: ['payments'], notes: [] });

    const changed = relateOnOpen(opened, [burst, elsewhere, over, { incident: opened }], T0);

    expect(changed).toEqual([burst]);
    expect(opened.related_incidents).toEqual(['inc_00001']);
    expect(burst.incident.related_incidents).toEqual(['inc_00003']);
    expect(elsewhere.incident.related_incidents).toBeUndefined();
    expect(over.incident.related_incidents).toBeUndefined();
    expect(opened.notes).toEqual([expect.stringMatching(/firewatch: related: inc_00001 \(error_burst\) was already open on payments$/)]);
    expect(burst.incident.notes).toEqual([expect.stringMatching(/firewatch: related: inc_00003 \(memory_exhaustion\) opened on payments while this was open$/)]);
    // once linked, not again
    expect(relateOnOpen(opened, [burst], T0)).toEqual([]);
    expect(opened.related_incidents).toEqual(['inc_00001']);
  });

  it('keeps at most MAX_RELATED_INCIDENTS links per incident', () => {
    const others = Array.from({ length: MAX_RELATED_INCIDENTS + 5 }, (_, i) =>
      holder({ incident_id: `inc_${String(i + 10).padStart(5, '0')}`, affected_components: ['payments'], notes: [] }),
    );
    const opened = testIncident({ incident_id: 'inc_00001', affected_components: ['payments'], notes: [] });
    expect(relateOnOpen(opened, others, T0)).toHaveLength(MAX_RELATED_INCIDENTS);
    expect(opened.related_incidents).toHaveLength(MAX_RELATED_INCIDENTS);
  });
});

describe('the engine relates incidents as they open', () => {
  it('a memory incident during an error burst on the same component: both changed in the same ingest', () => {
    const { engine } = testEngine();
    const first = engine.ingest(burst(12, T0 + 9 * MINUTE, 100, { source: 'payments' }));
    const errorBurst = first.incidents.find((incident) => incident.incident_type === 'error_burst')!;
    expect(errorBurst.related_incidents ?? []).toEqual([]);

    const memory = engine.ingest(
      Array.from({ length: 3 }, (_, i) => draft({ timestamp: T0 + 9 * MINUTE + 5_000 + i * 1_000, event_type: 'memory_high', source: 'payments', severity: 'critical' })),
    );

    const opened = memory.incidents.find((incident) => incident.incident_type === 'memory_exhaustion')!;
    expect(opened.related_incidents).toEqual([errorBurst.incident_id]);
    // the error burst's change is in the result too, so it is written with the memory incident
    expect(memory.incidents.find((incident) => incident.incident_id === errorBurst.incident_id)?.related_incidents).toEqual([opened.incident_id]);
  });

  it('an incident opened by hand on a component with an open incident', () => {
    const { engine } = testEngine();
    const first = engine.createIncident({ incident_type: 'cache_failure', affected_components: ['redis'] });
    const second = engine.createIncident({ incident_type: 'service_down', affected_components: ['redis', 'api'] });
    expect(second.related_incidents).toEqual([first.incident_id]);
    expect(engine.incident(first.incident_id)!.related_incidents).toEqual([second.incident_id]);
  });
});
