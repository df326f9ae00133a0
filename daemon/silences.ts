// The silences (maintenance windows) of a running daemon: create, list and expire them (control API), keep the ones
// in force in memory, and bring open incidents in line when one starts, ends or is expired. The rules are pure
// (engine/maintenance-windows.ts); the writer applies them to every incident it writes (IncidentSilencer), so an
// incident that opens under a silence is held in the very write that opens it; this module only decides *when* an
// open incident must be written again (a silence began or ended) so the change — and the notifications it now owes —
// happen without waiting for its next event.

import type { SilenceJson } from '../api/silence.js';
import type { Logger } from '../common/logger.js';
import { isoTime, parseIsoInstant } from '../common/time.js';
import { BadRequest, NotFound, RequestRefused, type CreateSilenceInput } from '../control/backend.js';
import type { SilenceStore } from '../store/silence-store.js';
import { actorName } from './incident-commands.js';
import type { IncidentSilencer, IncidentWriter } from './incident-writer.js';
import {
  MAX_SILENCE_COMMENT_LENGTH,
  MAX_SILENCE_COMPONENT_LENGTH,
  MAX_SILENCE_SECONDS,
  applySilence,
  holdingSilence,
  isIncidentType,
  isSilenceActive,
  silenceEnd,
  type Engine,
  type Incident,
  type Severity,
  type Silence,
} from '../engine/index.js';

/** Silences listed when no limit is given. */
const DEFAULT_LIST_LIMIT = 100;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export interface SilencesOptions {
  store: SilenceStore;
  writer: IncidentWriter;
  engine: Engine;
  clock: () => number;
  log: Logger;
}

export class Silences implements IncidentSilencer {
  /** Not expired and not ended, as of the last look: the only ones that can hold an incident. */
  private inForce: Silence[];
  /** epoch ms of the earliest end among `inForce` (Infinity: none): before then, ticks have nothing to do. */
  private nextEndAt = Infinity;
  /** Reconciliation in progress: a tick does not start another. */
  private reconciling: Promise<void> | undefined;

  constructor(private readonly options: SilencesOptions) {
    this.inForce = options.store.inForce(options.clock());
    this.updateNextEnd();
  }

  /** Silences in force now: /metrics. */
  activeCount(): number {
    const now = this.options.clock();
    return this.inForce.filter((silence) => isSilenceActive(silence, now)).length;
  }

  // ---- IncidentSilencer: applied by the writer to every incident it writes ----------------------------------------

  apply(incident: Incident, before: Incident | undefined, at: number): boolean {
    // Every incident write comes here: with no silence in force and none to lift, allocate nothing.
    if (this.inForce.length === 0 && (incident.silenced_by ?? null) === null) return false;
    return applySilence(incident, {
      at,
      active: this.inForce,
      lookup: (silenceId) => this.options.store.get(silenceId),
      announced: announcedBefore(before),
    });
  }

  // ---- the control API --------------------------------------------------------------------------------------------

  async create(request: CreateSilenceInput): Promise<SilenceJson> {
    const actor = actorName(request.actor);
    const component = request.component.trim();
    if (component === '') throw new BadRequest('a silence needs a component');
    if (component.length > MAX_SILENCE_COMPONENT_LENGTH) throw new BadRequest(`the component is longer than ${MAX_SILENCE_COMPONENT_LENGTH} characters`);
    if (CONTROL_CHARACTERS.test(component)) throw new BadRequest('the component contains control characters');
    const type = request.incident_type.trim() === '' ? null : request.incident_type.trim().toLowerCase();
    if (type !== null && !isIncidentType(type)) throw new BadRequest(`unknown incident type ${JSON.stringify(request.incident_type)}`);
    const comment = request.comment.trim();
    if (comment === '') throw new BadRequest('a silence needs a comment: why (a change ticket, what is being done)');
    if (comment.length > MAX_SILENCE_COMMENT_LENGTH) throw new BadRequest(`the comment is longer than ${MAX_SILENCE_COMMENT_LENGTH} characters`);
    if (CONTROL_CHARACTERS.test(comment)) throw new BadRequest('the comment contains control characters');
    const now = this.options.clock();
    const endsAt = this.endOf(request, now);
    const silence: Silence = {
      silence_id: this.options.store.nextId(),
      component,
      incident_type: type,
      starts_at: now,
      ends_at: endsAt,
      comment,
      created_by: actor,
      created_at: now,
      expired_at: null,
      expired_by: null,
    };
    await this.options.store.put(silence);
    this.inForce.push(silence);
    this.updateNextEnd();
    this.options.log.info('silence created', { silence_id: silence.silence_id, component, incident_type: type ?? 'any', ends_at: isoTime(endsAt), by: actor });
    await this.reconcile();
    return silenceToJson(silence, this.options.clock());
  }

  async expire(silenceId: string, rawActor: string): Promise<SilenceJson> {
    const actor = actorName(rawActor);
    const silence = this.options.store.get(silenceId.trim());
    if (silence === undefined) throw new NotFound(`silence ${silenceId} not found`);
    const now = this.options.clock();
    if (silence.expired_at !== null) throw new RequestRefused(`${silence.silence_id} was already expired by ${silence.expired_by ?? '?'}`);
    if (silence.ends_at <= now) throw new RequestRefused(`${silence.silence_id} already ended at ${isoTime(silence.ends_at)}`);
    const expired: Silence = { ...silence, expired_at: now, expired_by: actor };
    await this.options.store.put(expired);
    this.inForce = this.inForce.filter((other) => other.silence_id !== silence.silence_id);
    this.updateNextEnd();
    this.options.log.info('silence expired', { silence_id: silence.silence_id, by: actor });
    await this.reconcile();
    return silenceToJson(expired, this.options.clock());
  }

  /** The newest silences first; only those in force unless `all`. */
  list(all: boolean, limit: number): SilenceJson[] {
    const now = this.options.clock();
    if (!all) {
      const active = this.inForce.filter((silence) => silenceEnd(silence) > now).sort((a, b) => b.created_at - a.created_at);
      return active.slice(0, limit > 0 ? limit : active.length).map((silence) => silenceToJson(silence, now));
    }
    return this.options.store.recent(limit > 0 ? limit : DEFAULT_LIST_LIMIT).map((silence) => silenceToJson(silence, now));
  }

  // ---- time -------------------------------------------------------------------------------------------------------

  /**
   * Called on the daemon's tick: when a silence has ended, the incidents it held are written again (and notified,
   * when still open). Cheap until then: one comparison.
   */
  tick(): void {
    if (this.options.clock() < this.nextEndAt || this.reconciling !== undefined) return;
    this.reconciling = this.reconcile()
      .catch((error: unknown) => this.options.log.error('cannot apply the end of a silence', { error: (error as Error).message }))
      .finally(() => {
        this.reconciling = undefined;
      });
  }

  /** Waits for a reconciliation in progress (shutdown). */
  async idle(): Promise<void> {
    await this.reconciling;
  }

  /**
   * Drops the silences that have ended, then writes again every open incident whose silence is not the one that
   * should hold it now (the writer applies the silences as it writes).
   */
  async reconcile(): Promise<void> {
    const now = this.options.clock();
    this.inForce = this.inForce.filter((silence) => silence.expired_at === null && silence.ends_at > now);
    this.updateNextEnd();
    const stale = this.options.engine
      .openIncidents()
      .filter((incident) => (incident.silenced_by ?? null) !== (holdingSilence(incident, this.inForce, now)?.silence_id ?? null));
    for (const incident of stale) await this.options.writer.rewrite(incident.incident_id);
  }

  private endOf(request: CreateSilenceInput, now: number): number {
    const hasDuration = request.duration_seconds !== 0;
    const hasUntil = request.until !== '';
    if (hasDuration === hasUntil) throw new BadRequest('a silence needs either a duration or an end time (until), not both');
    let endsAt: number;
    if (hasDuration) {
      const seconds = request.duration_seconds;
      if (!Number.isFinite(seconds) || seconds <= 0) throw new BadRequest(`the duration must be a positive number of seconds, got ${seconds}`);
      endsAt = now + seconds * 1000;
    } else {
      const until = parseIsoInstant(request.until);
      if (until === undefined) throw new BadRequest(`until: not an ISO-8601 time: ${JSON.stringify(request.until.slice(0, 64))}`);
      if (until <= now) throw new BadRequest(`until: ${isoTime(until)} is not in the future`);
      endsAt = until;
    }
    if (endsAt - now > MAX_SILENCE_SECONDS * 1000) {
      throw new BadRequest(`a silence lasts at most ${MAX_SILENCE_SECONDS / 86_400} days: it is a maintenance window, not a mute button`);
    }
    return Math.round(endsAt);
  }

  private updateNextEnd(): void {
    this.nextEndAt = this.inForce.reduce((earliest, silence) => Math.min(earliest, silenceEnd(silence)), Infinity);
  }
}

/** What the channels were told of an incident before this write: null when never (not written yet, or opened silenced). */
function announcedBefore(before: Incident | undefined): Severity | null {
  if (before === undefined) return null;
  if ((before.silenced_by ?? null) === null) return before.severity;
  return before.announced_severity ?? null;
}

export function silenceToJson(silence: Silence, now: number): SilenceJson {
  return {
    silence_id: silence.silence_id,
    component: silence.component,
    incident_type: silence.incident_type,
    starts_at: isoTime(silence.starts_at) ?? '',
    ends_at: isoTime(silence.ends_at) ?? '',
    comment: silence.comment,
    created_by: silence.created_by,
    created_at: isoTime(silence.created_at) ?? '',
    expired_at: isoTime(silence.expired_at),
    expired_by: silence.expired_by,
    active: isSilenceActive(silence, now),
  };
}
