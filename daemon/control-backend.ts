// The daemon's answer to every control call (control/backend.ts), composed from the parts that own each: queries and
// commands on incidents, the rule service, the watch hub, traces and the daemon's status. Transports (the gRPC server,
// the in-process client of `firewatch` with no command) call this and nothing else.

import type { DaemonStatusJson } from '../api/status.js';
import type { ControlBackend } from '../control/backend.js';
import type { LmdbStore } from '../store/lmdb-store.js';
import type { IncidentCommands } from './incident-commands.js';
import type { IncidentQueries } from './incident-queries.js';
import type { NotificationOutbox } from './notification-outbox.js';
import type { RuleService } from './rule-service.js';
import type { Silences } from './silences.js';
import { traceToJson } from './trace-json.js';
import type { WatchHub } from './watch-hub.js';
import { type Engine } from '../engine/index.js';

export interface ControlBackendParts {
  queries: IncidentQueries;
  commands: IncidentCommands;
  rules: RuleService;
  hub: WatchHub;
  engine: Engine;
  store: LmdbStore;
  silences: Silences;
  notifications: NotificationOutbox;
  /** The daemon's status but for what the hub knows (daemon_id, seq). */
  status: () => Omit<DaemonStatusJson, 'daemon_id' | 'seq'>;
}

export function createControlBackend(parts: ControlBackendParts): ControlBackend {
  const { queries, commands, rules, hub } = parts;
  return {
    status: () => ({ ...parts.status(), daemon_id: hub.daemonId, seq: hub.currentSeq() }),
    listIncidents: (query) => queries.list(query),
    getIncident: (incidentId, query) => queries.get(incidentId, query),
    createIncident: (input) => commands.create(input),
    updateIncident: (input) => commands.update(input),
    resolveIncident: (incidentId, actor, notes) => commands.resolve(incidentId, actor, notes),
    closeIncident: (incidentId, actor, notes) => commands.close(incidentId, actor, notes),
    listActions: (incidentId) => queries.actions(incidentId),
    mitigate: (input) => commands.mitigate(input),
    timeline: (query) => queries.timeline(query),
    postmortem: (incidentId) => queries.postmortem(incidentId),
    setRulesEnabled: (ruleIds, enabled, actor) => rules.setEnabled(ruleIds, enabled, actor),
    updateRule: (ruleId, update, actor) => rules.update(ruleId, update, actor),
    createRule: (rule, actor) => rules.create(rule, actor),
    resetRules: (ruleIds, actor) => rules.reset(ruleIds, actor),
    testRule: (ruleId, eventsJson, dryRun, actor) => rules.testRule(ruleId, eventsJson, dryRun, actor),
    stats: (sinceMs) => queries.stats(sinceMs),
    components: (sinceMs) => queries.components(sinceMs),
    watch: (query, send) => hub.subscribe(query, send),
    getTrace: (traceId) => traceToJson(traceId, parts.store, parts.engine),
    listRules: (enabledOnly) => rules.list(enabledOnly),
    getRule: (ruleId) => rules.get(ruleId),
    createSilence: (input) => parts.silences.create(input),
    listSilences: (all, limit) => parts.silences.list(all, limit),
    expireSilence: (silenceId, actor) => parts.silences.expire(silenceId, actor),
    listNotifications: (query) => parts.notifications.list(query),
    retryNotifications: (ids, allDead, actor) => parts.notifications.retry(ids, allDead, actor),
    dropNotification: (id, actor) => parts.notifications.drop(id, actor),
  };
}
