// Silences (maintenance windows), as Alertmanager has them: for a while, incidents on one component (of one type, or
// any) are recorded and opened as usual, but notify nobody new and run no action by themselves. Pure: the daemon keeps
// the silences (daemon/silences.ts), the store persists them, and the time is passed in.
//
//   silence active at `at` ──holdingSilence(incident)──▶ the one that holds it (the last to end)
//   applySilence(incident, …) ──▶ silenced_by, announced_severity and a note on the incident (the timeline's line)
//
// Not to be confused with engine/silence.ts, which detects a *service* that went silent (stopped sending).

import { SYSTEM_ACTOR, isOpenStatus, type Incident, type IncidentType, type Severity } from './types.js';
import { addNote } from './workflow.js';

export interface Silence {
  /** `sil_00001`: numbered by the store, never reused. */
  silence_id: string;
  /** The component (service) it covers: an incident is held when this is among its affected_components. */
  component: string;
  /** Only incidents of this type; null for every type. */
  incident_type: IncidentType | null;
  /** epoch ms */
  starts_at: number;
  /** epoch ms: when it ends by itself. */
  ends_at: number;
  /** Why (a change ticket, what is being done). */
  comment: string;
  created_by: string;
  /** epoch ms */
  created_at: number;
  /** epoch ms it was ended early by hand; null otherwise. */
  expired_at: number | null;
  expired_by: string | null;
}

/** Longest silence: a maintenance window, not a way to mute a component for good. */
export const MAX_SILENCE_SECONDS = 30 * 24 * 3600;
/** Longest comment kept (characters). */
export const MAX_SILENCE_COMMENT_LENGTH = 500;
/** Longest component name (as the daemon's manual incidents allow). */
export const MAX_SILENCE_COMPONENT_LENGTH = 200;

const SILENCE_ID = /^sil_(\d{5,})$/;

export function formatSilenceId(seq: number): string {
  return `sil_${String(seq).padStart(5, '0')}`;
}

/** The number in `sil_00042`; undefined for anything else. */
export function parseSilenceSeq(silenceId: string): number | undefined {
  const match = SILENCE_ID.exec(silenceId);
  return match === null ? undefined : Number(match[1]);
}

/** In force at `at`: started, not ended, not expired by hand. */
export function isSilenceActive(silence: Silence, at: number): boolean {
  return silence.expired_at === null && silence.starts_at <= at && at < silence.ends_at;
}

/** When it stops (or stopped) holding: expired by hand, else its end. */
export function silenceEnd(silence: Silence): number {
  return silence.expired_at ?? silence.ends_at;
}

/** Whether the silence covers the incident: its component is affected, and its type matches when one is given. */
export function silenceMatches(silence: Silence, incident: Pick<Incident, 'affected_components' | 'incident_type'>): boolean {
  return (silence.incident_type === null || silence.incident_type === incident.incident_type) && incident.affected_components.includes(silence.component);
}

/** The active silence that holds the incident: of those that match, the one that ends last (then the oldest). */
export function holdingSilence(
  incident: Pick<Incident, 'affected_components' | 'incident_type'>,
  active: readonly Silence[],
  at: number,
): Silence | undefined {
  let best: Silence | undefined;
  for (const silence of active) {
    if (!isSilenceActive(silence, at) || !silenceMatches(silence, incident)) continue;
    if (best === undefined || silence.ends_at > best.ends_at || (silence.ends_at === best.ends_at && silence.silence_id < best.silence_id)) {
      best = silence;
    }
  }
  return best;
}

export interface SilenceContext {
  /** epoch ms: now. */
  at: number;
  /** The silences that may hold incidents now (expired and ended ones are ignored). */
  active: readonly Silence[];
  /** Any silence by id, whatever its state: to say in the note why the one that held the incident no longer does. */
  lookup: (silenceId: string) => Silence | undefined;
  /**
   * The severity the incident's channels were last told of, if it was announced: null for an incident whose opening
   * has not been written yet (so nobody was told it began). Read only when the incident becomes silenced.
   */
  announced: Severity | null;
}

/**
 * Brings the incident's silence in line with the silences in force: held by the one holdingSilence() names, or by
 * none. Open incidents only (a resolved incident keeps `silenced_by` as history). When it changes, `silenced_by` and
 * `announced_severity` are set (or cleared) and a note from firewatch says so. Returns whether it changed.
 */
export function applySilence(incident: Incident, context: SilenceContext): boolean {
  if (!isOpenStatus(incident.status)) return false;
  const current = incident.silenced_by ?? null;
  if (current === null && context.active.length === 0) return false; // the common case, on every write
  const holder = holdingSilence(incident, context.active, context.at);
  const target = holder?.silence_id ?? null;
  if (target === current) return false;
  const note = { at: context.at, by: SYSTEM_ACTOR };
  if (holder !== undefined) {
    if (current === null) incident.announced_severity = context.announced;
    incident.silenced_by = holder.silence_id;
    addNote(incident, `silenced by ${holder.silence_id} until ${new Date(holder.ends_at).toISOString()} (${holder.created_by}): ${holder.comment}`, note);
    return true;
  }
  incident.silenced_by = null;
  delete incident.announced_severity;
  addNote(incident, endedNote(current!, context), note);
  return true;
}

function endedNote(silenceId: string, context: SilenceContext): string {
  const silence = context.lookup(silenceId);
  if (silence?.expired_by != null) return `silence ${silenceId} expired by ${silence.expired_by}`;
  if (silence === undefined || context.at >= silence.ends_at) return `silence ${silenceId} ended`;
  return `silence ${silenceId} no longer applies (${silence.incident_type ?? 'any type'} on ${silence.component})`;
}
