// Silences (maintenance windows, engine/maintenance-windows.ts) in LMDB: every silence ever created, with who created
// it and who expired it; the daemon keeps the ones in force in memory (daemon/silences.ts).
//
//   silences   seq (number) → Silence      sil_00042 is stored under 42; numbers are never reused
//
// One writer (the daemon); writes resolve once on disk.

import type { Database, RootDatabase } from 'lmdb';
import { formatSilenceId, parseSilenceSeq, type Silence } from '../engine/index.js';

/** Databases this store opens in the root environment (for the root's maxDbs). */
export const SILENCE_DB_COUNT = 1;

export class SilenceStore {
  private readonly db: Database<Silence, number>;
  private lastSeq: number;

  constructor(private readonly root: RootDatabase) {
    this.db = root.openDB<Silence, number>({ name: 'silences' });
    let last = 0;
    for (const key of this.db.getKeys({ reverse: true, limit: 1 })) last = Number(key);
    this.lastSeq = last;
  }

  /** The id the next silence gets (and reserves it: ids are never handed out twice, even when a write fails). */
  nextId(): string {
    this.lastSeq += 1;
    return formatSilenceId(this.lastSeq);
  }

  /** Writes a silence (new, or changed: expired); resolves once on disk. */
  async put(silence: Silence): Promise<void> {
    const seq = parseSilenceSeq(silence.silence_id);
    if (seq === undefined) throw new Error(`not a silence id: ${silence.silence_id}`);
    await this.db.put(seq, silence);
    await this.root.flushed;
  }

  get(silenceId: string): Silence | undefined {
    const seq = parseSilenceSeq(silenceId);
    return seq === undefined ? undefined : this.db.get(seq);
  }

  /** Silences that may still hold incidents at `at` (not expired, not ended), oldest first. Scans them all: at start. */
  inForce(at: number): Silence[] {
    const found: Silence[] = [];
    for (const { value } of this.db.getRange()) if (value.expired_at === null && value.ends_at > at) found.push(value);
    return found;
  }

  /** The newest `limit` silences, newest first (0: all). */
  recent(limit: number): Silence[] {
    const found: Silence[] = [];
    for (const { value } of this.db.getRange({ reverse: true, ...(limit > 0 ? { limit } : {}) })) found.push(value);
    return found;
  }
}
