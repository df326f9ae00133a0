// Events carry metadata keyed by telemetry's attribute names, so every event may have a key set of its own; with
// shared structures each new key set is a structure. Whatever the key sets, events must read back exactly, after a
// reopen too, and the structures entry must stay bounded (msgpackr shares a fixed number, the rest go inline).

import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import type { IncidentEvent, Metadata } from '../engine/types.js';
import { openStore } from './lmdb-store.js';

const MAX_STRUCTURES_BYTES = 64 * 1024;

const metadataArbitrary: fc.Arbitrary<Metadata> = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 128 }).filter((key) => key !== '__proto__'),
  // -0 is left out: msgpack writes it as the integer 0 (as every store has), which is no loss for metadata.
  fc.oneof(fc.string({ maxLength: 64 }), fc.integer(), fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)), fc.boolean()),
  { maxKeys: 32 },
);

function event(seq: number, metadata: Metadata): IncidentEvent {
  return {
    seq,
    event_id: `evt_${seq}`,
    timestamp: 1_000_000 + seq,
    received_at: 2_000_000 + seq,
    event_type: 'api_error',
    source: 'checkout',
    severity: 'high',
    message: `failure ${seq}`,
    metadata,
    correlation_id: '',
    span_id: '',
    incident_id: '',
  };
}

describe('LmdbStore with any metadata key sets', () => {
  it('reads every event back exactly after a reopen, and keeps its structures bounded', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(metadataArbitrary, { minLength: 1, maxLength: 300 }), async (metadatas) => {
        const directory = mkdtempSync(join(tmpdir(), 'firewatch-store-prop-'));
        try {
          const events = metadatas.map((metadata, i) => event(i + 1, metadata));
          let store = openStore(directory);
          // Several commits: structures are saved along with the values of the transaction that made them.
          for (let i = 0; i < events.length; i += 50) {
            await store.commit({ events: events.slice(i, i + 50), linked: [], incidents: [] }, { nextEventSeq: events.length + 1, nextIncidentSeq: 1 });
          }
          await store.close();
          store = openStore(directory);
          const read = store.loadState(0).recentEvents;
          await store.close();
          expect(read).toEqual(events);

          const raw = open({ path: directory, maxDbs: 16 });
          const structures = raw.openDB({ name: 'events', encoding: 'binary' }).getBinary(Symbol.for('firewatch.structures') as unknown as string);
          await raw.close();
          expect(structures).toBeDefined(); // the property saw structures at all
          expect(structures!.length).toBeLessThan(MAX_STRUCTURES_BYTES);
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      }),
      { numRuns: 15 },
    );
  });
});
