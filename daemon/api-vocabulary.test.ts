// api/ may import nothing, so it spells out the contract's enumerations itself; here they are held to the engine's.

import { describe, expect, it } from 'vitest';
import * as api from '../api/index.js';
import * as engine from '../engine/index.js';
import { describeCause } from '../engine/root-cause.js';
import { rootCauseSummary } from '../view/incident-text.js';
import { incidentJson } from '../test/fixtures/incident-json.js';

describe('the contract and the engine agree', () => {
  it('on severities, statuses, incident types, risks and audit kinds', () => {
    expect(api.SEVERITIES).toEqual(engine.SEVERITIES);
    expect(api.SEVERITY_RANK).toEqual(engine.SEVERITY_RANK);
    expect(api.INCIDENT_STATUSES).toEqual(engine.INCIDENT_STATUSES);
    expect(api.OPEN_STATUSES).toEqual(engine.INCIDENT_STATUSES.filter((status) => engine.isOpenStatus(status)));
    expect(api.INCIDENT_TYPES).toEqual(engine.INCIDENT_TYPES);
    expect(api.RISKS).toEqual(engine.RISKS);
    expect(api.AUDIT_KINDS).toEqual(engine.AUDIT_KINDS);
  });

  it('on how a root cause is worded (the status history and every screen say the same)', () => {
    const incident = incidentJson('inc_00001', {
      root_cause: { primary_error_type: 'database_connection_error', primary_source: 'payments', error_distribution: {}, source_distribution: {} },
    });
    expect(rootCauseSummary(incident)).toBe(describeCause('database_connection_error', 'payments'));
    const unknown = incidentJson('inc_00002', { root_cause: { primary_error_type: '', primary_source: '', error_distribution: {}, source_distribution: {} } });
    expect(rootCauseSummary(unknown)).toBe(describeCause('', ''));
  });
});
