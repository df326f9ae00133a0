// Detection rules at runtime: enable, disable, update, create — validated, persisted, applied to the running engine at
// once, and audited.
//
//   rules (config file) ──mergeRules(runtime overrides)──▶ rules in force ──engine.setRules()──▶ windows replayed
//                                   ▲                                             │
//   CLI ──control API──▶ RuleService ┴── store.rules.record(override, audit) ────┘ (what the replay fired is persisted)
//
// A change is validated against the whole rule set first (mergeRules + the engine's own checks), written, then
// applied; so what is on disk is always a rule set the engine accepted.

import { isoTime } from '../common/time.js';
import { ruleToJson } from './api-json.js';
import { BadRequest, NotFound, RequestRefused } from '../control/backend.js';
import type { RuleChangeJson, RuleDraft, RuleJson, RuleUpdate, TestRuleResult } from '../api/rule.js';
import type { RuleAuditEntry, RuleChangeKind, RuleStore } from '../store/rule-store.js';
import type { Logger } from '../common/logger.js';
import { evaluateRule, parseTestEvents, sampleEvents, TestInputError } from './rule-test.js';
import { cloneRule, isIncidentType, isSeverity, mergeRules, type DetectionRule, type Engine, type IngestResult, type RuleOverride } from '../engine/index.js';
import { type SignalRoute, type TelemetrySignal } from '../receiver/index.js';

export interface RuleServiceOptions {
  /** The rules of the configuration file (built-ins with the file's overrides, then its custom rules). */
  configRules: readonly DetectionRule[];
  store: RuleStore;
  clock: () => number;
  log: Logger;
  /** The receiver's converters, for test-rule's OTLP/JSON input. */
  testRoutes: Record<TelemetrySignal, SignalRoute>;
}

/** How the rule service reaches the rest of the daemon (once the engine and the workflow exist). */
export interface RuleServiceLinks {
  engine: Engine;
  /** Writes what a rule change (or fed test events) did to incidents. */
  persist(result: IngestResult): Promise<void>;
  /** Adds a note to an incident, as `actor`. */
  note(incidentId: string, actor: string, text: string): Promise<void>;
}

export class RuleService {
  private readonly configRules: readonly DetectionRule[];
  private readonly store: RuleStore;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly testRoutes: Record<TelemetrySignal, SignalRoute>;
  private readonly overrides = new Map<string, RuleOverride>();
  private links: RuleServiceLinks | undefined;
  /** Serialises changes: each reads the overrides the previous one wrote. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: RuleServiceOptions) {
    this.configRules = options.configRules;
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.log;
    this.testRoutes = options.testRoutes;
    for (const [ruleId, override] of Object.entries(options.store.overrides())) this.overrides.set(ruleId, override);
  }

  /**
   * The rules in force at start: the configuration's, with the runtime overrides stored earlier. An override that no
   * longer fits (its rule left the file, or the file changed under it) is skipped with a warning, not fatal.
   */
  startupRules(): DetectionRule[] {
    let rules = this.configRules.map(cloneRule);
    for (const [ruleId, override] of this.overrides) {
      const merged = mergeRules({ [ruleId]: override }, 'rule_changes', rules);
      if (merged.ok) {
        rules = merged.rules;
      } else {
        // Dropped from what later changes merge over too: one stale override must not block every rule change.
        this.overrides.delete(ruleId);
        this.log.warn('stored rule change skipped', { rule_id: ruleId, error: merged.errors[0] });
      }
    }
    return rules;
  }

  /** Connects the running engine and the workflow. */
  attach(links: RuleServiceLinks): void {
    this.links = links;
  }

  list(enabledOnly: boolean): RuleJson[] {
    return this.requireEngine()
      .rules()
      .filter((rule) => !enabledOnly || rule.enabled)
      .map((rule) => ruleToJson(rule));
  }

  get(ruleId: string): RuleJson | undefined {
    const rule = this.requireEngine().rule(ruleId);
    if (rule === undefined) return undefined;
    return { ...(ruleToJson(rule)), history: this.store.history(ruleId).map(historyJson) };
  }

  setEnabled(ruleIds: readonly string[], enabled: boolean, actor: string): Promise<RuleJson[]> {
    return this.serially(async () => {
      if (ruleIds.length === 0) throw new BadRequest('name at least one rule');
      const rules = this.requireEngine().rules();
      const unknown = ruleIds.filter((id) => !rules.some((rule) => rule.rule_id === id));
      if (unknown.length > 0) throw new NotFound(`unknown rule ${unknown.join(', ')} (known: ${rules.map((r) => r.rule_id).join(', ')})`);
      const kind: RuleChangeKind = enabled ? 'enable' : 'disable';
      const changes = new Map<string, RuleOverride | null>();
      const audit: Array<Omit<RuleAuditEntry, 'seq'>> = [];
      for (const ruleId of new Set(ruleIds)) {
        const current = rules.find((rule) => rule.rule_id === ruleId)!;
        if (current.enabled === enabled) continue; // already so: nothing to write
        changes.set(ruleId, { ...(this.overrides.get(ruleId) ?? {}), enabled });
        audit.push({ at: this.clock(), actor, rule_id: ruleId, kind, detail: `enabled ${String(!enabled)} → ${String(enabled)}` });
      }
      await this.apply(changes, audit);
      return ruleIds.map((id) => ruleToJson(this.requireEngine().rule(id)!));
    });
  }

  update(ruleId: string, update: RuleUpdate, actor: string): Promise<RuleJson> {
    return this.serially(async () => {
      const current = this.requireEngine().rule(ruleId);
      if (current === undefined) throw new NotFound(`unknown rule ${ruleId} (known: ${this.ids()})`);
      const patch: RuleOverride = {};
      const details: string[] = [];
      const note = (key: keyof RuleUpdate & keyof DetectionRule, value: number | string) => {
        if (current[key] === value) return;
        Object.assign(patch, { [key]: value });
        details.push(`${key} ${String(current[key])} → ${String(value)}`);
      };
      if (update.error_threshold !== undefined) note('error_threshold', update.error_threshold);
      if (update.time_window_seconds !== undefined) note('time_window_seconds', update.time_window_seconds);
      if (update.check_interval_seconds !== undefined) note('check_interval_seconds', update.check_interval_seconds);
      if (update.severity !== undefined) {
        const severity = update.severity.toLowerCase();
        if (!isSeverity(severity)) throw new BadRequest(`unknown severity ${JSON.stringify(update.severity)}`);
        note('severity', severity);
      }
      if (Object.keys(update).length === 0) throw new BadRequest('nothing to change: give a threshold, time window, check interval or severity');
      if (details.length > 0) {
        await this.apply(
          new Map([[ruleId, { ...(this.overrides.get(ruleId) ?? {}), ...patch }]]),
          [{ at: this.clock(), actor, rule_id: ruleId, kind: 'update', detail: details.join(', ') }],
        );
      }
      return this.get(ruleId)!;
    });
  }

  create(rule: RuleDraft, actor: string): Promise<RuleJson> {
    return this.serially(async () => {
      const ruleId = typeof rule.rule_id === 'string' ? rule.rule_id : '';
      if (ruleId === '') throw new BadRequest('a new rule needs an id (--id)');
      if (this.requireEngine().rule(ruleId) !== undefined) {
        throw new RequestRefused(`rule ${ruleId} already exists; change it with firewatch incidents rules update ${ruleId}`);
      }
      if (typeof rule.incident_type === 'string' && !isIncidentType(rule.incident_type)) {
        throw new BadRequest(`unknown incident type ${JSON.stringify(rule.incident_type)}`);
      }
      await this.apply(new Map([[ruleId, rule as unknown as RuleOverride]]), [
        {
          at: this.clock(),
          actor,
          rule_id: ruleId,
          kind: 'create',
          detail: `${String(rule.incident_type)} when ${String(rule.error_threshold)} events within ${String(rule.time_window_seconds)}s`,
        },
      ]);
      return this.get(ruleId)!;
    });
  }

  /**
   * Drops the runtime changes of these rules: back to the configuration file's definition (a rule created at runtime
   * is removed). Refused for a rule without runtime changes.
   */
  reset(ruleIds: readonly string[], actor: string): Promise<RuleJson[]> {
    return this.serially(async () => {
      if (ruleIds.length === 0) throw new BadRequest('name at least one rule');
      const unchanged = ruleIds.filter((id) => !this.overrides.has(id));
      if (unchanged.length > 0) {
        const changed = [...this.overrides.keys()].sort();
        throw new RequestRefused(
          `${unchanged.join(', ')}: no runtime changes to reset (rules changed at runtime: ${changed.length > 0 ? changed.join(', ') : 'none'})`,
        );
      }
      const ids = [...new Set(ruleIds)];
      await this.apply(
        new Map(ids.map((ruleId) => [ruleId, null])),
        ids.map((ruleId) => ({
          at: this.clock(),
          actor,
          rule_id: ruleId,
          kind: 'reset' as const,
          detail: this.configRules.some((rule) => rule.rule_id === ruleId) ? 'back to the configuration file' : 'removed (it was created at runtime)',
        })),
      );
      return ids.flatMap((id) => {
        const rule = this.requireEngine().rule(id);
        return rule === undefined ? [] : [ruleToJson(rule)];
      });
    });
  }

  /**
   * test-rule: evaluates the rule on the events (or on samples built from it) with the real engine, on event time;
   * unless `dryRun`, also feeds them to the running engine and notes on every incident they opened or joined who did.
   */
  async testRule(ruleId: string, eventsJson: string, dryRun: boolean, actor: string): Promise<TestRuleResult> {
    const { engine, persist, note } = this.requireLinks();
    const rule = engine.rule(ruleId);
    if (rule === undefined) throw new NotFound(`unknown rule ${ruleId} (known: ${this.ids()})`);
    const fromFile = eventsJson.trim() !== '';
    let drafts;
    try {
      drafts = fromFile ? parseTestEvents(eventsJson, this.testRoutes) : sampleEvents(rule, this.clock());
    } catch (error) {
      if (error instanceof TestInputError) throw new BadRequest(`events: ${error.message}`);
      throw error;
    }
    const result = evaluateRule(rule, drafts, engine.rules());
    const incidentIds: string[] = [];
    if (!dryRun && drafts.length > 0) {
      const ingested = engine.ingest(drafts);
      for (const incident of ingested.incidents) incidentIds.push(incident.incident_id);
      await persist(ingested);
      // Whoever is paged for it should see at once that a rehearsal opened (or fed) it.
      const text = `events fed by firewatch incidents test-rule ${ruleId} (${fromFile ? 'an events file' : 'sample events'})`;
      for (const incidentId of incidentIds) {
        await note(incidentId, actor, text).catch((error: unknown) =>
          this.log.warn('cannot note the test-rule run on the incident', { incident_id: incidentId, error: (error as Error).message }),
        );
      }
    }
    return { ...result, dry_run: dryRun, incident_ids: incidentIds };
  }

  /**
   * Validates the rule set with these overrides (null: dropped, back to the file), writes them and their audit, then
   * applies them and persists what the replay fired.
   */
  private async apply(changes: ReadonlyMap<string, RuleOverride | null>, audit: ReadonlyArray<Omit<RuleAuditEntry, 'seq'>>): Promise<void> {
    if (changes.size === 0) return;
    const { engine, persist } = this.requireLinks();
    const next = new Map(this.overrides);
    for (const [ruleId, override] of changes) {
      if (override === null) next.delete(ruleId);
      else next.set(ruleId, override);
    }
    const merged = mergeRules(Object.fromEntries(next), 'rule', this.configRules);
    if (!merged.ok) throw new BadRequest(merged.errors.map((error) => error.replace(/^rule\./, '')).join('; '));
    await this.store.record(changes, audit);
    this.overrides.clear();
    for (const [ruleId, override] of next) this.overrides.set(ruleId, override);
    let result: IngestResult;
    try {
      result = engine.setRules(merged.rules);
    } catch (error) {
      throw new BadRequest((error as Error).message);
    }
    for (const entry of audit) this.log.info('rule changed', { rule_id: entry.rule_id, change: entry.kind, detail: entry.detail, by: entry.actor });
    await persist(result);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ids(): string {
    return this.requireEngine()
      .rules()
      .map((rule) => rule.rule_id)
      .join(', ');
  }

  private requireLinks(): RuleServiceLinks {
    if (this.links === undefined) throw new Error('rule service used before the engine was attached');
    return this.links;
  }

  private requireEngine(): Engine {
    return this.requireLinks().engine;
  }
}

function historyJson(entry: RuleAuditEntry): RuleChangeJson {
  return { seq: entry.seq, at: isoTime(entry.at), actor: entry.actor, kind: entry.kind, detail: entry.detail };
}
