// Recurrence: which earlier incidents looked like this one.
//
//   incident ──fingerprint = incident_type · primary_source · primary_error_type──▶ RecurrenceIndex
//                                                                                     └─ similarTo(incident) ─▶
//                                      similar_incidents: [{incident_id, resolution}] (most recent first, ≤ 5)
//
// The index is fed with every incident the engine sees: its own (created, changed), those the workflow hands back
// through updateIncident (resolved, closed, notes added), and at restore the past incidents the daemon passes
// (RestoreState.pastIncidents: the lean option — the most recent stored incidents that are no longer open, as full
// Incidents or just the fields of PastIncident; the engine keeps only what it needs). It is bounded: at most
// `maxFingerprints` fingerprints (the least recently updated go first, a sixteenth at a time: bounded-map.ts) and
// `PER_FINGERPRINT` incidents each (the oldest goes first), so an incident older than the kept ones keeps the list
// it had.

import { isoTime } from '../common/time.js';
import { makeRoom } from './bounded-map.js';
import { parseIncidentSeq } from './incidents.js';

import { isOpenStatus } from './types.js';
import type { Incident, IncidentStatus, IncidentType, SimilarIncident } from './types.js';

/** Default cap on similar_incidents entries. */
export const DEFAULT_MAX_SIMILAR = 5;
/** Default cap on distinct fingerprints remembered. */
export const DEFAULT_MAX_FINGERPRINTS = 5000;
/** Incidents kept per fingerprint (a few more than shown, for incidents that are not the newest). */
const PER_FINGERPRINT = 10;
/** Longest note quoted in a resolution. */
const MAX_NOTE_LENGTH = 120;

/** What recurrence needs of a past incident; a full Incident has all of it (pass stored incidents as they are). */
export interface PastIncident {
  incident_id: string;
  incident_type: IncidentType;
  status: IncidentStatus;
  resolved_at: number | null;
  closed_at: number | null;
  notes: readonly string[];
  root_cause: { primary_source: string; primary_error_type: string };
}

/**
 * Notes firewatch writes itself (severity escalations, re-types, root cause revisions); a resolution quotes the first
 * note a person wrote.
 */
const ENGINE_NOTE = /^(?:severity [a-z]+ → [a-z]+|type [a-z_]+ → [a-z_]+|root cause revised): /;
/** The engine's notes that raised the severity (escalation.ts escalate). */
const ESCALATION_NOTE = /^severity [a-z]+ → [a-z]+: /;

export function isEngineNote(note: string): boolean {
  return ENGINE_NOTE.test(note);
}

export function isEscalationNote(note: string): boolean {
  return ESCALATION_NOTE.test(note);
}

export function fingerprintOf(incident: PastIncident): string {
  const rc = incident.root_cause;
  return `${incident.incident_type}\u0000${rc.primary_source}\u0000${rc.primary_error_type}`;
}

/**
 * 'unresolved' while open; else `<status> <resolved_at ISO>` (closed_at when there is no resolved_at), then
 * `: <first note a person wrote>` when there is one (cut to 120 characters).
 */
export function resolutionOf(incident: PastIncident): string {
  if (isOpenStatus(incident.status)) return 'unresolved';
  const at = isoTime(incident.resolved_at ?? incident.closed_at);
  let text = at === null ? incident.status : `${incident.status} ${at}`;
  const note = incident.notes.find((n) => n.trim() !== '' && !isEngineNote(n));
  if (note !== undefined) {
    const flat = note.replace(/\s+/g, ' ').trim();
    text += `: ${flat.length > MAX_NOTE_LENGTH ? `${flat.slice(0, MAX_NOTE_LENGTH)}…` : flat}`;
  }
  return text;
}

interface Entry {
  incidentId: string;
  seq: number;
  fingerprint: string;
  resolution: string;
}

export class RecurrenceIndex {
  /** Fingerprint → entries, newest (highest seq) first; Map order = least recently updated first. */
  private readonly byFingerprint = new Map<string, Entry[]>();
  private readonly byId = new Map<string, Entry>();
  /** Changes whenever an entry is added, moved, dropped or gets another resolution (similar lists may differ). */
  version = 0;

  constructor(
    private readonly maxSimilar: number = DEFAULT_MAX_SIMILAR,
    private readonly maxFingerprints: number = DEFAULT_MAX_FINGERPRINTS,
  ) {}

  get fingerprints(): number {
    return this.byFingerprint.size;
  }

  /** Adds or updates what the index knows of `incident` (its fingerprint may have changed). */
  observe(incident: PastIncident): void {
    const seq = parseIncidentSeq(incident.incident_id);
    if (seq === undefined) return; // not an id this engine hands out: cannot be ordered
    const fingerprint = fingerprintOf(incident);
    const resolution = resolutionOf(incident);
    let entry = this.byId.get(incident.incident_id);
    if (entry !== undefined && entry.fingerprint === fingerprint) {
      if (entry.resolution !== resolution) {
        entry.resolution = resolution;
        this.version++;
      }
      this.refresh(fingerprint);
      return;
    }
    this.version++;
    if (entry !== undefined) this.detach(entry);
    entry = { incidentId: incident.incident_id, seq, fingerprint, resolution };
    let list = this.byFingerprint.get(fingerprint);
    if (list === undefined) {
      list = [];
      this.makeRoomForFingerprint();
    }
    let at = 0;
    while (at < list.length && (list[at] as Entry).seq > seq) at++;
    if (at >= PER_FINGERPRINT) return; // older than every kept one
    list.splice(at, 0, entry);
    this.byId.set(entry.incidentId, entry);
    while (list.length > PER_FINGERPRINT) this.byId.delete((list.pop() as Entry).incidentId);
    this.byFingerprint.delete(fingerprint); // (re)insert: most recently updated last
    this.byFingerprint.set(fingerprint, list);
  }

  /**
   * Earlier incidents (lower number) with the same fingerprint, most recent first, at most maxSimilar; undefined when
   * the index no longer holds `incident` itself (too old: keep what it had).
   */
  similarTo(incident: PastIncident): SimilarIncident[] | undefined {
    const fingerprint = fingerprintOf(incident);
    const own = this.byId.get(incident.incident_id);
    if (own === undefined || own.fingerprint !== fingerprint) return undefined;
    const list = this.byFingerprint.get(fingerprint) as Entry[];
    const similar: SimilarIncident[] = [];
    for (const entry of list) {
      if (entry.seq >= own.seq) continue;
      similar.push({ incident_id: entry.incidentId, resolution: entry.resolution });
      if (similar.length >= this.maxSimilar) break;
    }
    return similar;
  }

  clear(): void {
    this.byFingerprint.clear();
    this.byId.clear();
    this.version++;
  }

  private refresh(fingerprint: string): void {
    const list = this.byFingerprint.get(fingerprint);
    if (list === undefined) return;
    this.byFingerprint.delete(fingerprint);
    this.byFingerprint.set(fingerprint, list);
  }

  private detach(entry: Entry): void {
    this.byId.delete(entry.incidentId);
    const list = this.byFingerprint.get(entry.fingerprint);
    if (list === undefined) return;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.byFingerprint.delete(entry.fingerprint);
  }

  private makeRoomForFingerprint(): void {
    makeRoom(this.byFingerprint, this.maxFingerprints, (_fingerprint, entries) => {
      for (const entry of entries) this.byId.delete(entry.incidentId);
    });
  }
}

/** A PastIncident's fields of an Incident (for daemons that keep summaries rather than whole incidents). */
export function pastIncidentOf(incident: Incident): PastIncident {
  return {
    incident_id: incident.incident_id,
    incident_type: incident.incident_type,
    status: incident.status,
    resolved_at: incident.resolved_at,
    closed_at: incident.closed_at,
    notes: [...incident.notes],
    root_cause: {
      primary_source: incident.root_cause.primary_source,
      primary_error_type: incident.root_cause.primary_error_type,
    },
  };
}
