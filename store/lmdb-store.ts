// Durable state in LMDB (lmdb-js): what survives `kill -9`.
//
//   engine.ingest() ──IngestResult──▶ commit(): puts in one event turn ──▶ one LMDB transaction ──▶ flushed ──▶ ack
//
// lmdb-js batches every asynchronous write issued in the same event turn into a single transaction, so the events,
// their incident links, the incidents and the counters of one IngestResult become visible together or not at all.
// An export is acknowledged only after `flushed`: the transaction is committed and synced to disk.
//
// Databases (all in one LMDB environment under storage.directory):
//   events            seq (number)              → IncidentEvent
//   incidents         incident_id (string)      → Incident (latest state; trace_ids packed as 16-byte binary IDs)
//   incident_index    incident number           → incident_id  (newest first by a reverse range: `list` reads only
//                                                 what it shows; ids past inc_99999 would misorder as strings)
//   incident_events   [incident_id, seq]        → true        (an incident's timeline, in seq order)
//   trace_events      [trace_id, seq]           → true        (a trace's events, for `firewatch trace`)
//   trace_spans       [trace_id, span_id]       → StoredSpan  (spans of traces that joined an incident; the IDs are
//                                                 the key's, not repeated in the value)
//   meta              'counters'                → { nextEventSeq, nextIncidentSeq }
//                     'identity'                → { daemon_id, boot }: who this store is, and how many times it started
//   postmortems       incident_id               → StoredPostmortem (written when it resolves, rewritten on later changes)
//   outbox, dead_letters                        → notifications (store/outbox.ts), staged in the same transaction
//                                                 as the incident change that caused them
//   audit, action_state, approvals              → remediation (store/remediation-store.ts)
//   rule_changes                                → runtime rule overrides and their audit trail (store/rule-store.ts)
//   silences                                    → maintenance windows (store/silence-store.ts)
//
// events and trace_spans, written for every error and every span of an incident's traces, name their fields once per
// database (msgpack records with shared structures) instead of in every value: a third less store per error event,
// and the store's pages are what a busy daemon's RSS grows by (LMDB maps them). Values written before are plain
// msgpack maps and read as ever.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
import { Outbox } from './outbox.js';
import { RemediationStore } from './remediation-store.js';
import { RuleStore } from './rule-store.js';
import { SilenceStore } from './silence-store.js';
import { STORAGE_DIRECTORY_MODE, STORAGE_FILE_MODE } from './storage-directory.js';
import { TraceIdPacker } from './trace-id-packer.js';
import { isOpenStatus, parseIncidentSeq, type Incident, type IncidentEvent, type IngestResult, type OutboxItem, type SpanRecord } from '../engine/index.js';

export interface StoreCounters {
  nextEventSeq: number;
  nextIncidentSeq: number;
}

export interface IncidentFilter {
  /** Statuses to keep; `active` stands for every open status. Empty: all. */
  statuses?: string[];
  severities?: string[];
  types?: string[];
  /** Keep incidents whose affected_components include one of these. */
  components?: string[];
  /** Keep incidents detected at or after this time (epoch ms). */
  sinceMs?: number;
  /** At most this many, newest first; 0 or absent: no limit. */
  limit?: number;
}

export interface IncidentPage {
  incidents: Incident[];
  /** How many matched before the limit was applied. */
  totalMatched: number;
}

export interface StoredPostmortem {
  incident_id: string;
  markdown: string;
  /** epoch ms */
  generated_at: number;
}

/** Written in the same transaction as an IngestResult: what the incident changes in it caused. */
export interface CommitExtras {
  outbox?: readonly OutboxItem[];
  postmortems?: readonly StoredPostmortem[];
}

/** A span as trace_spans keeps it: its trace and span IDs are the key. Records written before carry them too. */
type StoredSpan = Omit<SpanRecord, 'trace_id' | 'span_id'> & Partial<Pick<SpanRecord, 'trace_id' | 'span_id'>>;

/** Where events and trace_spans keep their shared structures (a symbol key: outside every key they use). */
const SHARED_STRUCTURES_KEY = Symbol.for('firewatch.structures');

export interface PersistedState {
  counters: StoreCounters;
  openIncidents: Incident[];
  /** Events that arrived at or after the cut-off, oldest first. */
  recentEvents: IncidentEvent[];
}

/** Who a store is (daemon/watch-hub.ts numbers its updates within a boot). */
export interface StoreIdentity {
  /** Created once with the store, never changed: clients resume and merge by it. */
  daemon_id: string;
  /** 1 at the first start, one more at every start after it. */
  boot: number;
}

const COUNTERS_KEY = 'counters';
const IDENTITY_KEY = 'identity';
const MAX_RECENT_EVENTS = 1_000_000;
/** pruneEvents() looks at no more than this many events per event it may delete. */
const PRUNE_SCAN_FACTOR = 10;

export class LmdbStore {
  private readonly root: RootDatabase;
  private readonly events: Database<IncidentEvent, number>;
  private readonly incidents: Database<StoredIncident, string>;
  private readonly incidentEvents: Database<true, [string, number]>;
  private readonly meta: Database<StoreCounters | StoreIdentity, string>;
  private readonly traceEvents: Database<true, [string, number]>;
  private readonly traceSpans: Database<StoredSpan, [string, string]>;
  private readonly postmortems: Database<StoredPostmortem, string>;
  private readonly incidentIndex: Database<string, number>;
  /** Notifications waiting for delivery, and those given up on. */
  readonly outbox: Outbox;
  /** Remediation audit log, approvals, cooldowns and circuit breakers. */
  readonly remediation: RemediationStore;
  /** Rule changes made at runtime, and their audit trail. */
  readonly rules: RuleStore;
  /** Maintenance windows. */
  readonly silences: SilenceStore;
  private closed = false;
  /** First event seq the next pruneEvents() looks at: everything before it was pruned or is kept for an incident. */
  private pruneCursor = 0;
  /** Open incidents' trace IDs, packed as last written (an incident's list rarely changes between its writes). */
  private readonly traceIdPacker = new TraceIdPacker();

  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true, mode: STORAGE_DIRECTORY_MODE });
    // permissionsMode (not in lmdb-js's types) is mdb_env_open's file mode, 0664 by default: telemetry is for this
    // user only.
    const options: RootDatabaseOptionsWithPath & { permissionsMode: number } = {
      path: directory,
      // 15 in use (this file's 8, the outbox's 2, remediation's 3, rules, silences); room to grow. Not stored in the
      // environment: an existing store opens with any value that covers its databases.
      maxDbs: 24,
      mapSize: 2 * 1024 ** 3,
      permissionsMode: STORAGE_FILE_MODE,
    };
    this.root = open(options);
    this.events = this.root.openDB({ name: 'events', sharedStructuresKey: SHARED_STRUCTURES_KEY });
    this.incidents = this.root.openDB({ name: 'incidents' });
    this.incidentEvents = this.root.openDB({ name: 'incident_events' });
    this.meta = this.root.openDB({ name: 'meta' });
    this.traceEvents = this.root.openDB({ name: 'trace_events' });
    this.traceSpans = this.root.openDB({ name: 'trace_spans', sharedStructuresKey: SHARED_STRUCTURES_KEY });
    this.postmortems = this.root.openDB({ name: 'postmortems' });
    this.incidentIndex = this.root.openDB({ name: 'incident_index' });
    this.indexIncidents();
    this.outbox = new Outbox(this.root);
    this.remediation = new RemediationStore(this.root);
    this.rules = new RuleStore(this.root);
    this.silences = new SilenceStore(this.root);
  }

  /**
   * Counts this start and returns the store's identity, creating it on the first start. Written and synced before
   * the daemon serves anything, so a boot number is never handed out twice, even after kill -9.
   */
  startBoot(): StoreIdentity {
    const stored = this.meta.get(IDENTITY_KEY) as StoreIdentity | undefined;
    const identity: StoreIdentity =
      stored !== undefined && typeof stored.daemon_id === 'string' && Number.isInteger(stored.boot)
        ? { daemon_id: stored.daemon_id, boot: stored.boot + 1 }
        : { daemon_id: randomBytes(6).toString('hex'), boot: 1 };
    this.meta.putSync(IDENTITY_KEY, identity);
    return identity;
  }

  /**
   * Writes one IngestResult and the engine's counters atomically; resolves once it is on disk.
   * Nothing to write resolves at once.
   */
  async commit(result: IngestResult, counters: StoreCounters, extras: CommitExtras = {}): Promise<void> {
    if (isEmptyCommit(result, extras)) return;
    const traceSpans = result.traceSpans ?? [];
    const outbox = extras.outbox ?? [];
    const postmortems = extras.postmortems ?? [];
    // All puts below run in this one synchronous block: lmdb-js commits them as one transaction.
    // An event both new and linked here is written once, as linked: encoding it twice doubled the cost of every
    // error export that lands in an incident.
    const linkedSeqs = result.linked.length > 0 && result.events.length > 0 ? new Set(result.linked.map((event) => event.seq)) : undefined;
    for (const event of result.events) {
      if (linkedSeqs === undefined || !linkedSeqs.has(event.seq)) void this.events.put(event.seq, event);
      if (event.correlation_id !== '') void this.traceEvents.put([event.correlation_id, event.seq], true);
    }
    for (const span of traceSpans) void this.traceSpans.put([span.trace_id, span.span_id], toStoredSpan(span));
    for (const event of result.linked) {
      void this.events.put(event.seq, event);
      void this.incidentEvents.put([event.incident_id, event.seq], true);
    }
    for (const incident of result.incidents) {
      void this.incidents.put(incident.incident_id, this.toStored(incident));
      const number = parseIncidentSeq(incident.incident_id);
      if (number !== undefined && !this.incidentIndex.doesExist(number)) void this.incidentIndex.put(number, incident.incident_id);
    }
    for (const item of outbox) this.outbox.stage(item);
    for (const postmortem of postmortems) void this.postmortems.put(postmortem.incident_id, postmortem);
    const last = this.meta.put(COUNTERS_KEY, counters);
    await last;
    await this.root.flushed;
  }

  counters(): StoreCounters {
    return (this.meta.get(COUNTERS_KEY) as StoreCounters | undefined) ?? { nextEventSeq: 1, nextIncidentSeq: 1 };
  }

  /** What the engine needs after a restart: counters, open incidents, and events that arrived since `sinceMs`. */
  loadState(sinceMs: number): PersistedState {
    const openIncidents: Incident[] = [];
    for (const { value } of this.incidents.getRange()) {
      if (isOpenStatus(value.status)) openIncidents.push(fromStored(value));
    }
    const recentEvents: IncidentEvent[] = [];
    for (const { value } of this.events.getRange({ reverse: true })) {
      if (value.received_at < sinceMs || recentEvents.length >= MAX_RECENT_EVENTS) break;
      recentEvents.push(value);
    }
    recentEvents.reverse();
    return { counters: this.counters(), openIncidents, recentEvents };
  }

  postmortem(incidentId: string): StoredPostmortem | undefined {
    return this.postmortems.get(incidentId);
  }

  getIncident(incidentId: string): Incident | undefined {
    const stored = this.incidents.get(incidentId);
    return stored === undefined ? undefined : fromStored(stored);
  }

  /**
   * Incidents matching the filter, newest (highest id) first. Reads newest first through the index: without filters
   * only the `limit` shown are read (and the count comes from the index); with filters every incident is looked at.
   */
  listIncidents(filter: IncidentFilter = {}): IncidentPage {
    const matches = incidentMatcher(filter);
    const limit = filter.limit && filter.limit > 0 ? filter.limit : Number.POSITIVE_INFINITY;
    const incidents: Incident[] = [];
    let totalMatched = 0;
    for (const { value: incidentId } of this.incidentIndex.getRange({ reverse: true })) {
      if (matches === undefined && incidents.length >= limit) break;
      const stored = this.incidents.get(incidentId);
      // The filter reads only fields stored as they are: trace IDs are unpacked only for incidents returned.
      if (stored === undefined || (matches !== undefined && !matches(stored))) continue;
      totalMatched += 1;
      if (incidents.length < limit) incidents.push(fromStored(stored));
    }
    if (matches === undefined) totalMatched = this.incidentCount();
    return { incidents, totalMatched };
  }

  /** Status and severity of every stored incident, without decoding the rest of it beyond what LMDB reads. */
  *incidentStates(): Generator<Pick<Incident, 'incident_id' | 'status' | 'severity'>> {
    for (const { value } of this.incidents.getRange()) yield value;
  }

  /** How many incidents are stored. */
  incidentCount(): number {
    return (this.incidentIndex.getStats() as { entryCount: number }).entryCount;
  }

  /** Builds the number → id index for incidents stored before it existed (once; later commits keep it). */
  private indexIncidents(): void {
    const indexed = this.incidentCount();
    const stored = (this.incidents.getStats() as { entryCount: number }).entryCount;
    if (indexed >= stored) return;
    this.root.transactionSync(() => {
      for (const incidentId of this.incidents.getKeys()) {
        const number = parseIncidentSeq(incidentId);
        if (number !== undefined && !this.incidentIndex.doesExist(number)) this.incidentIndex.putSync(number, incidentId);
      }
    });
  }

  /** An incident's events, oldest (by event time) first; at most `limit` (0: all). */
  timeline(incidentId: string, limit = 0): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    const range = this.incidentEvents.getKeys({
      start: [incidentId, 0],
      end: [incidentId, Number.MAX_SAFE_INTEGER],
      ...(limit > 0 ? { limit } : {}),
    });
    for (const key of range) {
      const event = this.events.get(key[1]);
      if (event) events.push(event);
    }
    events.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    return events;
  }

  /** Spans kept for a trace because it joined an incident. */
  spansForTrace(traceId: string): SpanRecord[] {
    const spans: SpanRecord[] = [];
    for (const { key, value } of this.traceSpans.getRange({ start: [traceId, ''], end: [traceId, '\uffff'] })) {
      spans.push({ ...value, trace_id: key[0], span_id: key[1] });
    }
    return spans;
  }

  /** Stored events carrying this trace ID, oldest first; at most `limit`. */
  eventsForTrace(traceId: string, limit = 10_000): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const key of this.traceEvents.getKeys({ start: [traceId, 0], end: [traceId, Number.MAX_SAFE_INTEGER], limit })) {
      const event = this.events.get(key[1]);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * Deletes events that arrived before `cutoffMs` and belong to no incident (an incident's events are its timeline
   * and stay), with their trace index entries; at most `maxDeleted` per call so the write stays short. Resumes
   * where the previous call stopped. Returns how many were deleted.
   */
  async pruneEvents(cutoffMs: number, maxDeleted = 10_000): Promise<number> {
    let deleted = 0;
    let scanned = 0;
    let last: IncidentEvent | undefined;
    for (const { value } of this.events.getRange({ start: this.pruneCursor })) {
      // Bounded both ways: deletions, and events looked at (most may be kept for incidents).
      if (value.received_at >= cutoffMs || deleted >= maxDeleted || scanned >= maxDeleted * PRUNE_SCAN_FACTOR) break;
      scanned++;
      last = value;
      if (value.incident_id !== '') continue;
      void this.events.remove(value.seq);
      if (value.correlation_id !== '') void this.traceEvents.remove([value.correlation_id, value.seq]);
      deleted++;
    }
    if (last !== undefined) this.pruneCursor = last.seq + 1;
    if (deleted > 0) await this.root.flushed;
    return deleted;
  }

  /** How many events are stored. */
  eventCount(): number {
    const entries = (this.events.getStats() as { entryCount: number }).entryCount;
    // The structures are an entry too (lmdb-js types keys by the database's key type; a symbol key is its own).
    return this.events.doesExist(SHARED_STRUCTURES_KEY as unknown as number) ? entries - 1 : entries;
  }

  private toStored(incident: Incident): StoredIncident {
    const ids = incident.trace_ids;
    if (ids.length === 0) return incident;
    // One that closed is rarely written again: not worth remembering.
    const packed = isOpenStatus(incident.status)
      ? this.traceIdPacker.pack(incident.incident_id, ids)
      : this.traceIdPacker.packLast(incident.incident_id, ids);
    if (packed === undefined) return incident;
    const { trace_ids: _ids, ...rest } = incident;
    return { ...rest, trace_ids_bin: packed };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.flushed;
    await this.root.close();
  }
}

/**
 * An incident as stored: its trace IDs (up to 1,000 of 32 hex characters, re-written with the incident on every
 * change) as one buffer of 16-byte IDs. Encoding them as a thousand strings was a fifth of the daemon's CPU under
 * load (msgpack string packing; `node dist/bench/ingest.bench.js` with a CPU profile). Records written before keep
 * `trace_ids` and read as they are.
 */
type StoredIncident = Omit<Incident, 'trace_ids'> & { trace_ids?: string[]; trace_ids_bin?: Uint8Array };

function fromStored(stored: StoredIncident): Incident {
  if (stored.trace_ids_bin === undefined) return stored as Incident;
  const { trace_ids_bin: packed, ...rest } = stored;
  const hex = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('hex');
  const traceIds = new Array<string>(hex.length / 32);
  for (let i = 0; i < traceIds.length; i++) traceIds[i] = hex.slice(i * 32, i * 32 + 32);
  return { ...rest, trace_ids: traceIds };
}

/** The fields an IncidentFilter looks at. */
export type FilterableIncident = Pick<Incident, 'status' | 'severity' | 'incident_type' | 'affected_components' | 'detected_at'>;

/** The filter as one predicate (built once per query), or undefined when it keeps everything. */
export function incidentMatcher(filter: IncidentFilter): ((incident: FilterableIncident) => boolean) | undefined {
  const statuses = filter.statuses?.length ? new Set(filter.statuses) : undefined;
  const active = statuses?.has('active') ?? false;
  const severities = filter.severities?.length ? new Set(filter.severities) : undefined;
  const types = filter.types?.length ? new Set(filter.types) : undefined;
  const components = filter.components?.length ? new Set(filter.components) : undefined;
  const since = filter.sinceMs;
  if (!statuses && !severities && !types && !components && since === undefined) return undefined;
  return (incident) =>
    (!statuses || statuses.has(incident.status) || (active && isOpenStatus(incident.status))) &&
    (!severities || severities.has(incident.severity)) &&
    (!types || types.has(incident.incident_type)) &&
    (!components || incident.affected_components.some((c) => components.has(c))) &&
    (since === undefined || incident.detected_at >= since);
}

/** True when a commit would write nothing (the engine often reports no change). */
export function isEmptyCommit(result: IngestResult, extras: CommitExtras = {}): boolean {
  return (
    result.events.length === 0 &&
    result.linked.length === 0 &&
    result.incidents.length === 0 &&
    (result.traceSpans?.length ?? 0) === 0 &&
    (extras.outbox?.length ?? 0) === 0 &&
    (extras.postmortems?.length ?? 0) === 0
  );
}

export function openStore(directory: string): LmdbStore {
  return new LmdbStore(directory);
}

/** Every field of the span but the IDs the key holds, in one fixed order (one shared structure for all of them). */
function toStoredSpan(span: SpanRecord): StoredSpan {
  const stored: StoredSpan = {
    parent_span_id: span.parent_span_id,
    service: span.service,
    name: span.name,
    kind: span.kind,
    start_ms: span.start_ms,
    end_ms: span.end_ms,
    status_code: span.status_code,
    status_message: span.status_message,
    exception_type: span.exception_type,
    exception_message: span.exception_message,
    http_status: span.http_status,
    peer: span.peer,
    failed: span.failed,
    user: span.user,
  };
  if (span.attributes_wire !== undefined) stored.attributes_wire = span.attributes_wire;
  if (span.attributes_sent !== undefined) stored.attributes_sent = span.attributes_sent;
  return stored;
}
