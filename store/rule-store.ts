// Rule changes made at runtime (`firewatch incidents rules enable|disable|update|create`), and their audit trail.
//
//   rule_changes  ['override', rule_id] → StoredOverride {order, override}: the fields changed at runtime, merged over
//                                         the config's rule (for a rule created at runtime, the whole rule); `order`
//                                         keeps rules created at runtime in creation order
//                 ['audit', seq]        → RuleAuditEntry (append-only)
//                 'next_seq'            → number
//
// On start the daemon merges the overrides over the rules of its configuration (engine/rule-config.ts mergeRules),
// so a change survives restarts; a rule removed from the file keeps its runtime override but is skipped with a
// warning when it no longer validates.

import type { Database, RootDatabase } from 'lmdb';
import { type RuleOverride } from '../engine/index.js';

export const RULE_CHANGE_KINDS = ['enable', 'disable', 'update', 'create', 'reset'] as const;
export type RuleChangeKind = (typeof RULE_CHANGE_KINDS)[number];

export interface RuleAuditEntry {
  seq: number;
  /** epoch ms */
  at: number;
  actor: string;
  rule_id: string;
  kind: RuleChangeKind;
  /** What changed, e.g. `error_threshold 10 → 15`. */
  detail: string;
}

interface StoredOverride {
  order: number;
  override: RuleOverride;
}

type Key = ['override', string] | ['audit', number] | 'next_seq';
type Value = StoredOverride | RuleAuditEntry | number;

export class RuleStore {
  private readonly db: Database<Value, Key>;
  private readonly root: RootDatabase;

  constructor(root: RootDatabase) {
    this.root = root;
    this.db = root.openDB<Value, Key>({ name: 'rule_changes' });
  }

  /** Runtime overrides by rule_id, in the order they were first made. */
  overrides(): Record<string, RuleOverride> {
    const stored: Array<[string, StoredOverride]> = [];
    for (const { key, value } of this.db.getRange({ start: ['override', ''], end: ['override', '\uffff'] })) {
      stored.push([(key as ['override', string])[1], value as StoredOverride]);
    }
    stored.sort((a, b) => a[1].order - b[1].order);
    const result: Record<string, RuleOverride> = {};
    for (const [ruleId, { override }] of stored) {
      // defineProperty: a rule id like `__proto__` must stay an ordinary key.
      Object.defineProperty(result, ruleId, { value: override, enumerable: true, writable: true, configurable: true });
    }
    return result;
  }

  /** Writes the new overrides of the rules named (null: dropped) and their audit entries in one transaction. */
  async record(
    overrides: ReadonlyMap<string, RuleOverride | null>,
    entries: ReadonlyArray<Omit<RuleAuditEntry, 'seq'>>,
  ): Promise<RuleAuditEntry[]> {
    let next = (this.db.get('next_seq') as number | undefined) ?? 1;
    const first = next;
    const written: RuleAuditEntry[] = [];
    for (const [ruleId, override] of overrides) {
      if (override === null) {
        void this.db.remove(['override', ruleId]);
        continue;
      }
      const previous = this.db.get(['override', ruleId]) as StoredOverride | undefined;
      void this.db.put(['override', ruleId], { order: previous?.order ?? first, override });
    }
    for (const entry of entries) {
      const full: RuleAuditEntry = { seq: next++, ...entry };
      void this.db.put(['audit', full.seq], full);
      written.push(full);
    }
    if (next === first) next++; // keep `order` unique for overrides recorded without an audit entry
    void this.db.put('next_seq', next);
    await this.root.flushed;
    return written;
  }

  /** The audit trail of one rule (or of all rules with ''), newest first, at most `limit`. */
  history(ruleId: string, limit = 50): RuleAuditEntry[] {
    const found: RuleAuditEntry[] = [];
    for (const { value } of this.db.getRange({ start: ['audit', Number.MAX_SAFE_INTEGER], end: ['audit', 0], reverse: true })) {
      const entry = value as RuleAuditEntry;
      if (ruleId === '' || entry.rule_id === ruleId) found.push(entry);
      if (found.length >= limit) break;
    }
    return found;
  }
}
