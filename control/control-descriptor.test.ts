import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protoDirectory } from '../common/package-root.js';
import { controlDescriptorJson } from './control-descriptor.js';
import { CONTROL_DESCRIPTOR_FILE, loadControlService } from './control-proto.js';

describe('control API descriptor', () => {
  it('the committed control.json is what control.proto says (else: npm run gen:control)', () => {
    const committed = readFileSync(join(protoDirectory(), CONTROL_DESCRIPTOR_FILE), 'utf8');
    expect(committed, 'proto/firewatch/control/v1/control.json is stale: run `npm run gen:control`').toBe(controlDescriptorJson());
  });

  it('serves every rpc of the .proto with its streaming kind', () => {
    const proto = readFileSync(join(protoDirectory(), 'firewatch/control/v1/control.proto'), 'utf8');
    const rpcs = [...proto.matchAll(/rpc (\w+)\(\w+\) returns \((stream )?\w+\)/g)].map((m) => [m[1], Boolean(m[2])]);
    const service = loadControlService().service;
    expect(Object.keys(service).sort()).toEqual(rpcs.map(([name]) => name).sort());
    for (const [name, streaming] of rpcs) expect(service[name as string]!.responseStream, String(name)).toBe(streaming);
  });

  it('round-trips a message as proto-loader did: optional fields unset, longs as numbers, defaults filled', () => {
    const method = loadControlService().service.GetIncident!;
    const bytes = method.responseSerialize({ incident_id: 'inc_00001', event_count: 12, mttd: 1.5 });
    const decoded = method.responseDeserialize(bytes) as Record<string, unknown>;
    expect(decoded).toMatchObject({ incident_id: 'inc_00001', event_count: 12, mttd: 1.5, status: '', has_timeline: false, notes: [] });
    expect(decoded.mttr).toBeUndefined();
    expect(decoded.acknowledged_by).toBeUndefined();
  });
});
