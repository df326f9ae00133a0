import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Silence } from '../engine/index.js';
import { SilenceStore } from './silence-store.js';

const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);
const HOUR = 3_600_000;

function silence(silenceId: string, overrides: Partial<Silence> = {}): Silence {
  return {
    silence_id: silenceId,
    component: 'payments',
    incident_type: null,
    starts_at: T0,
    ends_at: T0 + HOUR,
    comment: 'db migration',
    created_by: 'ann',
    created_at: T0,
    expired_at: null,
    expired_by: null,
    ...overrides,
  };
}

describe('SilenceStore', () => {
  let directory: string;
  let root: RootDatabase;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-silences-'));
    root = open({ path: directory, maxDbs: 2 });
  });

  afterEach(async () => {
    await root.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function reopen(): Promise<SilenceStore> {
    await root.close();
    root = open({ path: directory, maxDbs: 2 });
    return new SilenceStore(root);
  }

  it('numbers silences sil_00001… and keeps numbering after a restart, never reusing one', async () => {
    // prepare
    const store = new SilenceStore(root);
    const first = store.nextId();
    const unused = store.nextId(); // reserved, then never written (a refused request)
    const third = store.nextId();
    await store.put(silence(first));
    await store.put(silence(third));

    // act
    const reopened = await reopen();

    // verify
    expect([first, unused, third]).toEqual(['sil_00001', 'sil_00002', 'sil_00003']);
    expect(reopened.nextId()).toBe('sil_00004');
  });

  it('keeps expiries, lists the newest first and those in force', async () => {
    // prepare
    const store = new SilenceStore(root);
    await store.put(silence(store.nextId()));
    await store.put(silence(store.nextId(), { ends_at: T0 + 10 }));
    await store.put(silence(store.nextId(), { component: 'checkout' }));
    await store.put({ ...silence('sil_00003', { component: 'checkout' }), expired_at: T0 + 5, expired_by: 'bob' });

    // act
    const reopened = await reopen();

    // verify
    expect(reopened.get('sil_00003')).toMatchObject({ expired_at: T0 + 5, expired_by: 'bob' });
    expect(reopened.get('sil_00009')).toBeUndefined();
    expect(reopened.get('inc_00001')).toBeUndefined();
    expect(reopened.recent(2).map((s) => s.silence_id)).toEqual(['sil_00003', 'sil_00002']);
    expect(reopened.recent(0)).toHaveLength(3);
    expect(reopened.inForce(T0 + 100).map((s) => s.silence_id)).toEqual(['sil_00001']);
    await expect(reopened.put(silence('bad'))).rejects.toThrow(/not a silence id/);
  });
});
