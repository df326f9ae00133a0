// Remediation state in LMDB: the audit log, action state (breakers, cooldowns, automatic runs) and approvals.
//
//   responder ──commit(change)──▶ puts in one synchronous block ──▶ one LMDB transaction ──▶ flushed ──▶ resolves
//
// It shares the daemon's root environment (one LMDB env for everything, like lmdb-store.ts) and opens three
// databases in it, so the root must leave room for them (maxDbs).
//
//   audit         [incident_id, seq]                → AuditEntry   (append-only; an incident's trail in seq order)
//                 seq (number)                      → incident_id  (index for auditSince)
//                 'next_seq'                        → number       (seq survives restarts; written with the entries)
//   action_state  ['breaker', action_id]            → BreakerState
//                 ['source', action_id, source]     → SourceRunState      (cooldown per primary source)
//                 ['incident', action_id, inc_id]   → IncidentRunState    (automatic runs, last outcome)
//   approvals     ['req', incident_id, action_id]   → ApprovalRequest
//                 ['due', expires_at, inc_id, act]  → true   (pending requests by expiry, for expireApprovals)
//
// State and approval writes are readable at once, before their commit (an in-memory overlay of unflushed writes;
// lmdb-js's own cache does this only for primitive keys): the responder decides and records a run start in one
// synchronous step, and a concurrent decision right after must already see it (cooldown, run counts).

import type { Database, RootDatabase } from 'lmdb';
import {
  CLOSED_BREAKER,
  EMPTY_INCIDENT_RUN_STATE,
  type ApprovalRequest,
  type BreakerState,
  type IncidentRunState,
  type SourceRunState,
} from './remediation-types.js';
import { type AuditEntry } from '../engine/index.js';

/** An audit entry before the store numbers it. */
export type AuditDraft = Omit<AuditEntry, 'seq'>;

/** Everything one step of the responder writes, committed together. */
export interface RemediationChange {
  audit?: readonly AuditDraft[];
  breakers?: ReadonlyArray<{ action_id: string; state: BreakerState }>;
  sources?: ReadonlyArray<{ action_id: string; source: string; state: SourceRunState }>;
  incidents?: ReadonlyArray<{ action_id: string; incident_id: string; state: IncidentRunState }>;
  approvals?: readonly ApprovalRequest[];
}

/** Databases this store opens in the root environment (for the root's maxDbs). */
export const REMEDIATION_DB_COUNT = 3;

const NEXT_SEQ_KEY = 'next_seq';
const MAX_KEY_TEXT = 400; // LMDB keys are limited (~1978 bytes with lmdb-js); sources come from telemetry.

type AuditKey = [string, number] | number | string;
type AuditValue = AuditEntry | string | number;
type StateKey = [string, string] | [string, string, string];
type StateValue = BreakerState | SourceRunState | IncidentRunState;
type ApprovalKey = [string, string, string] | [string, number, string, string];

export class RemediationStore {
  private readonly root: RootDatabase;
  private readonly audit: Database<AuditValue, AuditKey>;
  private readonly state: Database<StateValue, StateKey>;
  private readonly approvals: Database<ApprovalRequest | true, ApprovalKey>;
  private nextSeq: number;
  /** Writes not yet flushed, by `<db>:<JSON key>`; undefined for a removal. */
  private readonly unflushed = new Map<string, unknown>();

  constructor(root: RootDatabase) {
    this.root = root;
    this.audit = root.openDB({ name: 'audit' });
    this.state = root.openDB({ name: 'action_state' });
    this.approvals = root.openDB({ name: 'approvals' });
    const stored = this.audit.get(NEXT_SEQ_KEY);
    this.nextSeq = typeof stored === 'number' && stored > 0 ? stored : 1;
  }

  /** Numbers and appends audit entries; resolves with them once on disk. */
  append(entries: readonly AuditDraft[]): Promise<AuditEntry[]> {
    return this.commit({ audit: entries });
  }

  /**
   * Writes one change atomically (one transaction) and resolves, with the numbered audit entries, once it is on
   * disk. State and approvals are visible to reads at once; audit entries once it resolves.
   */
  async commit(change: RemediationChange): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const writes: Promise<boolean>[] = [];
    const staged: Array<[string, unknown]> = [];
    const stage = <V, K extends StateKey | ApprovalKey>(db: Database<V, K>, name: string, key: K, value: V | undefined): void => {
      const overlayKey = `${name}:${JSON.stringify(key)}`;
      this.unflushed.set(overlayKey, value);
      staged.push([overlayKey, value]);
      writes.push(value === undefined ? db.remove(key) : db.put(key, value));
    };
    // Everything below runs in this one synchronous block: lmdb-js commits it as one transaction.
    for (const draft of change.audit ?? []) {
      const entry: AuditEntry = { ...draft, seq: this.nextSeq++ };
      entries.push(entry);
      writes.push(this.audit.put([entry.incident_id, entry.seq], entry));
      writes.push(this.audit.put(entry.seq, entry.incident_id));
    }
    if (entries.length > 0) writes.push(this.audit.put(NEXT_SEQ_KEY, this.nextSeq));
    for (const { action_id, state } of change.breakers ?? []) stage(this.state, 'state', ['breaker', action_id], { ...state });
    for (const { action_id, source, state } of change.sources ?? []) {
      stage(this.state, 'state', ['source', action_id, keyText(source)], { ...state });
    }
    for (const { action_id, incident_id, state } of change.incidents ?? []) {
      stage(this.state, 'state', ['incident', action_id, incident_id], { ...state });
    }
    for (const request of change.approvals ?? []) {
      const key: ApprovalKey = ['req', request.incident_id, request.action_id];
      const previous = this.read(this.approvals, 'approvals', key);
      if (previous !== undefined && previous !== true && previous.status === 'pending') {
        stage(this.approvals, 'approvals', ['due', previous.expires_at, previous.incident_id, previous.action_id], undefined);
      }
      stage(this.approvals, 'approvals', key, { ...request });
      if (request.status === 'pending') {
        stage(this.approvals, 'approvals', ['due', request.expires_at, request.incident_id, request.action_id], true);
      }
    }
    if (writes.length === 0) return entries;
    try {
      await Promise.all(writes);
      await this.root.flushed;
    } finally {
      // Committed (or failed: then the database is the truth again). A later write of the same key stays.
      for (const [overlayKey, value] of staged) {
        if (this.unflushed.get(overlayKey) === value) this.unflushed.delete(overlayKey);
      }
    }
    return entries;
  }

  /** A state or approval value, unflushed writes first. */
  private read<V, K extends StateKey | ApprovalKey>(db: Database<V, K>, name: string, key: K): V | undefined {
    const overlayKey = `${name}:${JSON.stringify(key)}`;
    if (this.unflushed.has(overlayKey)) return this.unflushed.get(overlayKey) as V | undefined;
    return db.get(key);
  }

  // ---- audit -----------------------------------------------------------------------------------------------

  /** An incident's audit trail, oldest first; with `limit` > 0 only the most recent `limit` entries. */
  auditFor(incidentId: string, limit = 0): AuditEntry[] {
    const entries: AuditEntry[] = [];
    const range = this.audit.getRange({
      start: [incidentId, Number.MAX_SAFE_INTEGER],
      end: [incidentId, 0],
      reverse: true,
      ...(limit > 0 ? { limit } : {}),
    });
    for (const { value } of range) entries.push(value as AuditEntry);
    return entries.reverse();
  }

  /** Entries with seq > `seq` across incidents, oldest first, at most `limit` (0: all). */
  auditSince(seq: number, limit = 0): AuditEntry[] {
    const entries: AuditEntry[] = [];
    const range = this.audit.getRange({ start: seq + 1, end: Number.MAX_SAFE_INTEGER, ...(limit > 0 ? { limit } : {}) });
    for (const { key, value } of range) {
      if (typeof key !== 'number' || typeof value !== 'string') continue;
      const entry = this.audit.get([value, key]);
      if (entry !== undefined && typeof entry === 'object') entries.push(entry);
    }
    return entries;
  }

  /** The highest seq assigned so far (0 before the first entry). */
  lastSeq(): number {
    return this.nextSeq - 1;
  }

  // ---- action state ------------------------------------------------------------------------------------------

  breaker(actionId: string): BreakerState {
    const value = this.read(this.state, 'state', ['breaker', actionId]) as BreakerState | undefined;
    return value ? { ...value } : { ...CLOSED_BREAKER };
  }

  sourceState(actionId: string, source: string): SourceRunState | undefined {
    const value = this.read(this.state, 'state', ['source', actionId, keyText(source)]) as SourceRunState | undefined;
    return value ? { ...value } : undefined;
  }

  incidentState(actionId: string, incidentId: string): IncidentRunState {
    const value = this.read(this.state, 'state', ['incident', actionId, incidentId]) as IncidentRunState | undefined;
    return value ? { ...EMPTY_INCIDENT_RUN_STATE, ...value } : { ...EMPTY_INCIDENT_RUN_STATE };
  }

  // ---- approvals -----------------------------------------------------------------------------------------------

  approval(incidentId: string, actionId: string): ApprovalRequest | undefined {
    const value = this.read(this.approvals, 'approvals', ['req', incidentId, actionId]);
    return value !== undefined && value !== true ? { ...value } : undefined;
  }

  /** Pending requests whose expiry is at or before `now`, soonest first, at most `limit`. */
  dueApprovals(now: number, limit = 1000): ApprovalRequest[] {
    const due: ApprovalRequest[] = [];
    for (const key of this.approvals.getKeys({ start: ['due', 0], end: ['due', now, '\uffff'], limit })) {
      if (!Array.isArray(key) || key.length !== 4) continue;
      const request = this.approval(key[2] as string, key[3] as string);
      if (request?.status === 'pending' && request.expires_at <= now) due.push(request);
    }
    return due;
  }

  /** Resolves when every write issued so far is on disk. */
  async flushed(): Promise<void> {
    await this.root.flushed;
  }
}

/** Keys are bounded: a pathological source name from telemetry must not exceed LMDB's key size. */
function keyText(text: string): string {
  return text.length > MAX_KEY_TEXT ? text.slice(0, MAX_KEY_TEXT) : text;
}
