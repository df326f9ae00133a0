// The firewatch daemon: wires the edges (OTLP receiver, LMDB store, control API) around the pure engine.
//
//   OTLP/gRPC ─▶ receiver (decode+convert) ─▶ pipeline.consume ─▶ engine.ingest ─▶ store.commit ─▶ ack
//   (:4317 also answers OTLP/HTTP, through the OTLP/HTTP receiver's handler; rejections go to the rate-limited log)
//                                                                                      ▲
//   CLI/TUI ─▶ control API (unix socket) ─▶ backend ─▶ store reads / engine rules ─────┘
//
// Order of start: storage lock → store → engine restore (windows rebuilt from stored events) → control API → receiver, so that
// nothing is accepted before the state it joins is back. Stop is the reverse, draining in-flight exports first.

import { withPort } from '../common/endpoint.js';
import { isoTime } from '../common/time.js';
import { listenForStop } from '../common/stop-signal.js';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createChannels } from '../notify/channel.js';
import { createOutboxWorker } from '../notify/outbox-worker.js';
import { createResponder } from '../respond/responder.js';
import { GroupCommitter } from '../store/group-commit.js';
import { openStore, type LmdbStore } from '../store/lmdb-store.js';
import { secureStorageDirectory } from '../store/storage-directory.js';
import { lockStorageDirectory } from '../store/storage-lock.js';
import { TokenTable } from '../control/access.js';
import { startControlServer, startControlTcpServer, type ControlServer, type ControlTcpServer } from '../control/server.js';
import { createLocalClient } from '../control/local-client.js';
import { readTlsFiles, readTokens } from '../control/door-config.js';
import { startWebGateway, type WebGateway } from '../control/gateway/web-gateway.js';
import { packageRoot } from '../common/package-root.js';
import { readControlTls, readControlTokens } from './control-door.js';
import { readIngestTokens, readReceiverTls } from './ingest-security.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { incidentToJson } from './api-json.js';
import { Containment } from './containment.js';
import { createControlBackend } from './control-backend.js';
import { IncidentCommands } from './incident-commands.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentWriter } from './incident-writer.js';
import { NotificationOutbox } from './notification-outbox.js';
import { Silences } from './silences.js';
import { Postmortems } from './postmortems.js';
import { WatchHub } from './watch-hub.js';
import { RuleService } from './rule-service.js';
import { createSelfMetrics, SIGNALS, type SignalTotals } from './self-metrics.js';
import { startTelemetryServer, type TelemetryServer } from './telemetry-server.js';
import { createLogger, type DaemonLogger } from '../common/logger.js';
import { createRejectionLog } from './rejection-log.js';
import { packageVersion } from '../common/package-root.js';
import { IngestTurns } from './ingest-turns.js';
import { fixHeapGrowthFactor } from './heap-growth.js';
import { createEngine, isOpenStatus, type DetectionRule, type Engine, type EventDraft, type SpanRecord } from '../engine/index.js';
import {
  admissionLimitsOf,
  createOtlpGrpcReceiver,
  createOtlpHttpReceiver,
  createSignalConverters,
  createSignalRoutes,
  DeadlineExpiredError,
  deadlinePassed,
  ExportAdmission,
  LoopPressure,
  ingestTokenEntries,
  ingestTokens,
  type IngestAuth,
  type TelemetryConsumer,
  type TelemetrySignal,
} from '../receiver/index.js';

/**
 * Events ingested per engine call: a larger export is detected and written a slice at a time, each slice durable
 * before the next, so the exports behind it are answered in the meantime rather than after all of it.
 */
const INGEST_SLICE_EVENTS = 1_000;
/**
 * The store is behind when its oldest unwritten export has waited this long: every export taken in then waits at
 * least as long for its answer, so until it catches up exports from busy connections are refused (admission.ts).
 */
const STORE_BEHIND_MS = 250;
/** Events reloaded after a restart: those that arrived within this multiple of the longest rule window. */
const RESTORE_WINDOW_FACTOR = 2;
/** How often time-based work runs (silence, prolonged incidents, recovery) at most and at least. */
const MAX_TICK_INTERVAL_MS = 5_000;
const MIN_TICK_INTERVAL_MS = 250;
/** How often events past their retention are pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** Past (no longer open) incidents handed to the engine for recurrence after a restart. */
const PAST_INCIDENTS_RESTORED = 5_000;
const NO_SPANS: SpanRecord[] = [];
/** What deadlinePassed reads: a batch, or NO_DEADLINE. */
type DeadlineOf = { deadline?: number };
const NO_DEADLINE: DeadlineOf = {};

export interface Daemon {
  readonly config: Config;
  /** host:port actually bound ('' when the protocol is off). */
  readonly otlpGrpcEndpoint: string;
  /** host:port of /metrics, /healthz, /readyz ('' when off). */
  readonly telemetryEndpoint: string;
  readonly otlpHttpEndpoint: string;
  readonly socketPath: string;
  /** host:port of the remote control door ('' when there is none). */
  readonly controlEndpoint: string;
  /** Where the daemon's own web dashboard is (`http://127.0.0.1:8080/`; '' when service.dashboard.endpoint is unset). */
  readonly dashboardUrl: string;
  readonly engine: Engine;
  readonly store: LmdbStore;
  /** Re-reads what may change without a restart (SIGHUP): the remote door's certificate and token files. */
  reload(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Default: stderr at the configured `service.telemetry.logs.level`. */
  logger?: DaemonLogger;
  clock?: () => number;
}

export async function startDaemon(config: Config, options: StartOptions = {}): Promise<Daemon> {
  const log = options.logger ?? createLogger(undefined, config.service.telemetry.logs.level);
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const storageDirectory = resolve(config.storage.directory);
  const socketPath = resolve(config.service.control.socket);

  const converters = {
    spanConverter: { slowSpanThresholdMs: config.processors.convert.slow_span_threshold_ms },
    logConverter: { minSeverityNumber: config.processors.convert.logs.min_severity_number },
    metricConverter: {
      thresholds: config.processors.convert.metrics.thresholds,
      maxSeries: config.processors.convert.metrics.max_series,
      ignoredFilesystems: config.processors.convert.metrics.ignore_filesystems,
    },
    collectSpans: true,
    maxEventsPerExport: config.receivers.otlp.admission.max_events_per_export,
  };
  // Before anything in the directory is read or written: one daemon per storage directory (store/storage-lock.ts).
  const storageLock = await lockStorageDirectory(storageDirectory);
  let store: LmdbStore;
  try {
    for (const change of secureStorageDirectory(storageDirectory)) {
      log.warn('storage was open to other users: permissions tightened', { path: change.path, mode: change.from, now: change.to });
    }
    store = openStore(storageDirectory);
  } catch (error) {
    await storageLock.release();
    throw error;
  }
  // The rules of the file, with the changes made at runtime (rules enable/disable/update/create) on top.
  const rules = new RuleService({
    configRules: config.processors.detect.rules,
    store: store.rules,
    clock,
    log,
    // test-rule converts OTLP/JSON with the receiver's own converters (a separate instance: metric state is per receiver).
    testRoutes: createSignalRoutes(createSignalConverters(converters, 'processors.convert')),
  });
  const engine = createEngine({
    rules: rules.startupRules(),
    clock,
    eventRingCapacity: config.processors.detect.event_ring_capacity,
    traceRingCapacity: config.processors.detect.trace_ring_capacity,
    maxGroupsPerRule: config.processors.detect.max_groups_per_rule,
    silence: {
      enabled: config.processors.detect.silence.enabled,
      expectedIntervalSeconds: config.processors.detect.silence.expected_interval_seconds,
      minActiveMinutes: config.processors.detect.silence.min_active_minutes,
      historySeconds: config.processors.detect.silence.history_seconds,
    },
    recovery: {
      quietPeriodSeconds: config.processors.workflow.recovery_quiet_period_seconds,
      autoResolve: config.processors.workflow.auto_resolve,
    },
  });
  const committer = new GroupCommitter(store);
  const responder = createResponder({ config: config.remediation, store: store.remediation, clock, log });
  const channels = createChannels(config.exporters);
  const outboxWorker = createOutboxWorker({
    outbox: store.outbox,
    channels,
    retry: config.exporters.retry,
    clock,
    log,
  });
  const identity = store.startBoot();
  const hub = new WatchHub({ daemonId: identity.daemon_id, boot: identity.boot, clock, toJson: (incident) => incidentToJson(incident) });
  const postmortems = new Postmortems(config, store, responder, clock);
  let containment: Containment | undefined;
  const writer = new IncidentWriter({
    config,
    engine,
    store,
    committer,
    responder,
    postmortems,
    hub,
    clock,
    log,
    onNotificationsStaged: () => outboxWorker.poke(),
    onNeedsContainment: (incidentId) => containment?.schedule(incidentId),
  });
  containment = new Containment(config, writer, responder, clock, log);
  // Before anything is written: an incident restored or opened from now on is held by the silences in force.
  const silences = new Silences({ store: store.silences, writer, engine, clock, log });
  writer.useSilences(silences);
  const channelNames: ReadonlySet<string> = new Set(channels.keys());
  const notifications = new NotificationOutbox({
    outbox: store.outbox,
    audit: store.remediation,
    channels: () => channelNames,
    clock,
    onRequeued: () => outboxWorker.poke(),
  });
  const commands = new IncidentCommands(engine, writer, responder);
  const queries = new IncidentQueries(config, engine, store, writer, responder, postmortems, clock);
  rules.attach({
    engine,
    persist: (result) => writer.persist(result),
    note: (incidentId, actor, text) => commands.note(incidentId, actor, text),
  });

  // Rebuild what the engine had in memory: counters, open incidents, and the detection windows.
  const restoreSince = clock() - engine.maxWindowSeconds() * 1000 * RESTORE_WINDOW_FACTOR;
  const persisted = store.loadState(restoreSince);
  writer.countStored(store.incidentStates());
  const restored = engine.restore({
    nextEventSeq: persisted.counters.nextEventSeq,
    nextIncidentSeq: persisted.counters.nextIncidentSeq,
    openIncidents: persisted.openIncidents,
    recentEvents: persisted.recentEvents,
    pastIncidents: store
      .listIncidents({ limit: PAST_INCIDENTS_RESTORED * 2 })
      .incidents.filter((incident) => !isOpenStatus(incident.status))
      .slice(0, PAST_INCIDENTS_RESTORED),
  });
  // After restore: the workflow steps a restart cut short continue on the engine's incidents.
  writer.resume(persisted.openIncidents);
  containment.resume(persisted.openIncidents);
  await writer.persist(restored);
  // Silences that ended (or began) while the daemon was down: their incidents are brought in line, and notified.
  await silences.reconcile();
  log.info('state restored', {
    open_incidents: persisted.openIncidents.length,
    replayed_events: persisted.recentEvents.length,
    storage: storageDirectory,
  });

  // Items accepted and rejected are the receivers' own counts (acknowledged exports only); events are counted here.
  const eventsBySignal: Record<TelemetrySignal, number> = { traces: 0, logs: 0, metrics: 0 };
  /** Events the engine dropped as repeats of an earlier export's (retried exports), per signal. */
  const duplicatesBySignal: Record<TelemetrySignal, number> = { traces: 0, logs: 0, metrics: 0 };
  const signalTotals = (): Record<TelemetrySignal, SignalTotals> => {
    const grpc = grpcReceiver?.stats();
    const http = httpReceiver?.stats();
    const totals = (signal: TelemetrySignal): SignalTotals => ({
      items: (grpc?.[signal].accepted ?? 0) + (http?.[signal].accepted ?? 0),
      rejected: (grpc?.[signal].rejected ?? 0) + (http?.[signal].rejected ?? 0),
      events: eventsBySignal[signal],
      duplicates: duplicatesBySignal[signal],
      refused: (grpc?.[signal].refused ?? 0) + (http?.[signal].refused ?? 0),
    });
    return { traces: totals('traces'), logs: totals('logs'), metrics: totals('metrics') };
  };
  const badRequests = () => (grpcReceiver?.stats().badRequests ?? 0) + (httpReceiver?.stats().badRequests ?? 0);
  // One budget for both receivers; the store's queue depth is part of it.
  const loopPressure = new LoopPressure(config.receivers.otlp.admission.max_event_loop_utilization);
  const admission = new ExportAdmission(
    admissionLimitsOf(config.receivers.otlp.admission),
    () => committer.backlog(),
    () => loopPressure.saturated() || committer.oldestWaitMs() > STORE_BEHIND_MS,
  );

  const turns = new IngestTurns();
  /** Ingests on its turn (unless the client's deadline passed while it waited); resolves once durable. */
  const ingest = async (
    signal: TelemetrySignal,
    deadline: DeadlineOf,
    drafts: EventDraft[],
    options: Parameters<Engine['ingest']>[1],
  ): Promise<void> => {
    const result = await turns.run(() => {
      // The client gave up waiting (and will send it again): taking it in now would count it twice.
      if (deadlinePassed(deadline, Date.now())) throw new DeadlineExpiredError();
      const arrived = performance.now();
      const ingested = engine.ingest(drafts, options);
      metrics.detectionLatency.observe((performance.now() - arrived) / 1000);
      return ingested;
    });
    if (result.duplicates !== undefined) duplicatesBySignal[signal] += result.duplicates;
    return writer.persist(result);
  };

  const pipeline: TelemetryConsumer = {
    async consume(batch) {
      // Silence detection needs to know every sender, not only those that failed.
      if (batch.services !== undefined && batch.services.length > 0) engine.observeServices(batch.services);
      const spans = batch.spans ?? NO_SPANS;
      if (batch.drafts.length === 0 && spans.length === 0 && batch.perService === undefined) return;
      const totals = batch.perService ? { serviceTotals: batch.perService } : {};
      // Log records have no identity of their own: alike ones are repeats only a retry's delay apart (engine.ts).
      const repeatsMayBeDistinct = batch.signal === 'logs';
      if (batch.drafts.length <= INGEST_SLICE_EVENTS) {
        await ingest(batch.signal, batch, batch.drafts, { spans, ...totals, repeatsMayBeDistinct });
        eventsBySignal[batch.signal] += batch.drafts.length;
        return;
      }
      // The spans (trace ring) and totals go with the first slice, so every slice's events find their traces. Each
      // slice is durable before the next is ingested: the group commit would otherwise gather the slices into one
      // transaction and encode all of them in one synchronous stretch. (A crash between slices leaves the first
      // ones stored without an answer; the client's retry repeats them.) Only the first slice may be refused for
      // a deadline: once one is in, the rest follow.
      await ingest(batch.signal, batch, batch.drafts.slice(0, INGEST_SLICE_EVENTS), { spans, ...totals, repeatsMayBeDistinct });
      eventsBySignal[batch.signal] += batch.drafts.length;
      for (let at = INGEST_SLICE_EVENTS; at < batch.drafts.length; at += INGEST_SLICE_EVENTS) {
        await ingest(batch.signal, NO_DEADLINE, batch.drafts.slice(at, at + INGEST_SLICE_EVENTS), { spans: NO_SPANS, repeatsMayBeDistinct });
      }
    },
  };

  const protocols = config.receivers.otlp.protocols;
  const rejections = createRejectionLog(log);
  // Senders' tokens (extensions.bearertokenauth), one table for both receivers; re-read on SIGHUP.
  const ingestAuthConfig = config.extensions.bearertokenauth;
  const ingestAuth: IngestAuth | undefined =
    ingestAuthConfig === null ? undefined : { tokens: ingestTokens(readIngestTokens(ingestAuthConfig)), scheme: ingestAuthConfig.scheme };
  const grpcTlsPath = 'receivers.otlp.protocols.grpc.tls';
  const httpTlsPath = 'receivers.otlp.protocols.http.tls';
  const httpReceiver = protocols.http
    ? createOtlpHttpReceiver(
        {
          endpoint: protocols.http.endpoint,
          maxRequestBodyMib: protocols.http.max_request_body_mib,
          admission,
          ...converters,
          onRejected: rejections.report,
          ...(protocols.http.tls ? { tls: readReceiverTls(protocols.http.tls, httpTlsPath) } : {}),
          ...(protocols.http.auth && ingestAuth ? { auth: ingestAuth } : {}),
        },
        pipeline,
      )
    : undefined;
  // The gRPC port serves OTLP/HTTP with the HTTP receiver (same handler, limits, counters); with http off, a 404.
  const grpcReceiver = protocols.grpc
    ? createOtlpGrpcReceiver(
        {
          endpoint: protocols.grpc.endpoint,
          maxRecvMsgSizeMib: protocols.grpc.max_recv_msg_size_mib,
          admission,
          ...converters,
          serveHttp1: httpReceiver ? (socket) => httpReceiver.acceptConnection(socket) : undefined,
          onRejected: rejections.report,
          onConnection: log.enabled('debug') ? (protocol, peer) => log.debug('connection', { port: 'otlp_grpc', protocol, peer }) : undefined,
          ...(protocols.grpc.tls ? { tls: readReceiverTls(protocols.grpc.tls, grpcTlsPath) } : {}),
          ...(protocols.grpc.auth && ingestAuth ? { auth: ingestAuth } : {}),
        },
        pipeline,
      )
    : undefined;
  let grpcEndpoint = protocols.grpc?.endpoint ?? '';
  let httpEndpoint = protocols.http?.endpoint ?? '';

  const backend = createControlBackend({
    queries,
    commands,
    rules,
    hub,
    engine,
    store,
    silences,
    notifications,
    status: () => {
      const signals = signalTotals();
      return {
        version: packageVersion(),
        started_at: isoTime(startedAt) ?? '',
        otlp_grpc_endpoint: grpcEndpoint,
        otlp_http_endpoint: httpEndpoint,
        storage_directory: storageDirectory,
        open_incidents: engine.sizes().openIncidents,
        spans_received: signals.traces.items,
        spans_rejected: signals.traces.rejected,
        log_records_received: signals.logs.items,
        metric_points_received: signals.metrics.items,
        // Repeats of a retried export were dropped, not accepted.
        events_accepted: SIGNALS.reduce((sum, signal) => sum + signals[signal].events - signals[signal].duplicates, 0),
        bad_requests: badRequests(),
        incidents_total: engine.counters().nextIncidentSeq - 1,
      };
    },
  });

  const metrics = createSelfMetrics({
    signals: signalTotals,
    badRequests,
    inFlight: () => {
      const held = admission.stats();
      return { bytes: held.bytesInFlight, items: held.itemsInFlight };
    },
    engineSizes: () => engine.sizes(),
    incidentCounts: () => writer.incidentCounts(),
    incidentsOpened: () => engine.counters().nextIncidentSeq - 1,
    outbox: () => {
      const worker = outboxWorker.stats();
      return {
        pending: store.outbox.pendingCount(),
        deadLetters: store.outbox.deadLetterCount(),
        delivered: worker.delivered,
        retried: worker.retried,
        deadLettered: worker.deadLettered,
      };
    },
    silences: () => ({ active: silences.activeCount(), suppressed: writer.suppressedNotifications() }),
    lmdbBytes: () => directoryBytes(storageDirectory),
    uptimeSeconds: () => (clock() - startedAt) / 1000,
  });
  let ready = false;

  let control: ControlServer;
  try {
    control = await startControlServer(socketPath, backend);
  } catch (error) {
    await store.close();
    await storageLock.release();
    throw error;
  }
  let remoteControl: ControlTcpServer | undefined;
  const controlTokens = new TokenTable([]);
  try {
    const door = config.service.control;
    if (door.endpoint !== null) {
      controlTokens.replace(readControlTokens(door));
      remoteControl = await startControlTcpServer({ endpoint: door.endpoint, tls: readControlTls(door), tokens: controlTokens }, backend);
    }
  } catch (error) {
    await control.stop();
    await store.close();
    await storageLock.release();
    throw error;
  }

  // The web dashboard the daemon serves itself: the gateway over an in-process client, as the CLI's over a socket.
  let dashboard: WebGateway | undefined;
  const dashboardConfig = config.service.dashboard;
  const readDashboardSecrets = () => ({
    tokens: readTokens(dashboardConfig.tokens, 'service.dashboard.tokens'),
    tls: dashboardConfig.tls === null ? null : readTlsFiles(dashboardConfig.tls, 'service.dashboard.tls'),
  });
  try {
    if (dashboardConfig.endpoint !== null) {
      dashboard = await startWebGateway({
        members: [createLocalClient(backend, 'in-process')],
        endpoint: dashboardConfig.endpoint,
        ...readDashboardSecrets(),
        assetsDirectory: join(packageRoot(), 'dist', 'web'),
        onError: (message, fields) => log.error(message, fields),
      });
    }
  } catch (error) {
    await remoteControl?.stop();
    await control.stop();
    await store.close();
    await storageLock.release();
    throw error;
  }

  let telemetry: TelemetryServer | undefined;
  try {
    const telemetryConfig = config.service.telemetry.metrics;
    if (telemetryConfig.level !== 'none') {
      telemetry = await startTelemetryServer({ endpoint: telemetryConfig.endpoint, render: () => metrics.render(), ready: () => ready, log });
    }
    if (grpcReceiver) grpcEndpoint = withPort(grpcEndpoint, (await grpcReceiver.start()).port);
    if (httpReceiver) httpEndpoint = withPort(httpEndpoint, (await httpReceiver.start()).port);
  } catch (error) {
    await grpcReceiver?.stop();
    await httpReceiver?.stop();
    await telemetry?.stop();
    metrics.close();
    await dashboard?.stop();
    await remoteControl?.stop();
    await control.stop();
    await store.close();
    await storageLock.release();
    throw error;
  }

  // Time-based work (silence, prolonged incidents, recovery) runs on the daemon's clock, not per export. The pace
  // follows the rules in force, so `rules update --check-interval` takes effect at the next tick.
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    writer.persist(engine.tick()).catch((error: unknown) => {
      log.error('cannot persist time-based changes', { error: (error as Error).message });
    });
    silences.tick();
    containment.expireApprovals().catch((error: unknown) => {
      log.error('cannot expire approval requests', { error: (error as Error).message });
    });
    ticker = setTimeout(tick, tickInterval(config, engine.rules())).unref();
  };
  ticker = setTimeout(tick, tickInterval(config, engine.rules())).unref();

  // Events that never joined an incident are only needed for detection windows and drill-down: keep them for the
  // retention period, then delete them in short batches so the store does not grow with the error volume forever.
  const retentionMs = config.storage.event_retention_hours * 3_600_000;
  let pruning = false;
  const pruner = setInterval(() => {
    if (pruning) return;
    pruning = true;
    store
      .pruneEvents(clock() - retentionMs)
      .then((deleted) => {
        if (deleted > 0) log.info('old events pruned', { deleted, retention_hours: config.storage.event_retention_hours });
      })
      .catch((error: unknown) => log.error('cannot prune old events', { error: (error as Error).message }))
      .finally(() => {
        pruning = false;
      });
  }, PRUNE_INTERVAL_MS);
  pruner.unref();

  outboxWorker.start();
  ready = true;

  log.info('firewatch ready', {
    otlp_grpc: grpcEndpoint || 'off',
    otlp_http: httpEndpoint || 'off',
    control_socket: socketPath,
    storage: storageDirectory,
    metrics: telemetry?.endpoint ?? 'off',
    control_endpoint: remoteControl?.endpoint ?? 'off',
    dashboard: dashboard?.url ?? 'off',
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    otlpGrpcEndpoint: grpcEndpoint,
    otlpHttpEndpoint: httpEndpoint,
    telemetryEndpoint: telemetry?.endpoint ?? '',
    socketPath,
    controlEndpoint: remoteControl?.endpoint ?? '',
    dashboardUrl: dashboard?.url ?? '',
    engine,
    store,
    reload() {
      if (dashboard !== undefined) {
        try {
          const secrets = readDashboardSecrets();
          dashboard.reload({ tokens: secrets.tokens, ...(secrets.tls !== null ? { tls: secrets.tls } : {}) });
        } catch (error) {
          log.error('cannot reload the dashboard; keeping what was loaded', { error: (error as Error).message });
        }
      }
      // Everything is read first; what cannot be read keeps all as it was (a typo in a rotated file must not lock
      // everyone out, nor leave half of the secrets new).
      try {
        const door = remoteControl === undefined ? undefined : { tokens: readControlTokens(config.service.control), tls: readControlTls(config.service.control) };
        const senders = ingestAuthConfig === null ? undefined : readIngestTokens(ingestAuthConfig);
        const grpcTls = protocols.grpc?.tls ? readReceiverTls(protocols.grpc.tls, grpcTlsPath) : undefined;
        const httpTls = protocols.http?.tls ? readReceiverTls(protocols.http.tls, httpTlsPath) : undefined;
        if (door !== undefined) {
          controlTokens.replace(door.tokens);
          remoteControl!.reloadTls(door.tls);
        }
        if (senders !== undefined) ingestAuth!.tokens.replace(ingestTokenEntries(senders));
        if (grpcTls !== undefined) grpcReceiver?.reloadTls(grpcTls);
        if (httpTls !== undefined) httpReceiver?.reloadTls(httpTls);
        log.info('reloaded', { control_tokens: door?.tokens.length ?? 0, ingest_tokens: senders?.length ?? 0, receiver_tls: Number(grpcTls !== undefined) + Number(httpTls !== undefined) });
      } catch (error) {
        log.error('cannot reload; keeping what was loaded', { error: (error as Error).message });
      }
    },
    stop() {
      stopping ??= (async () => {
        // Stop accepting and let in-flight exports finish (each awaits its commit), then close the rest.
        ready = false;
        clearTimeout(ticker);
        clearInterval(pruner);
        while (pruning) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
        await Promise.all([grpcReceiver?.stop(), httpReceiver?.stop()]);
        rejections.flush();
        await containment.idle();
        await silences.idle();
        await writer.idle();
        await responder.idle();
        await dashboard?.stop();
        hub.flushHeld();
        hub.close();
        await committer.idle();
        await outboxWorker.stop();
        for (const channel of channels.values()) await channel.close?.();
        await remoteControl?.stop();
        await control.stop();
        await telemetry?.stop();
        metrics.close();
        loopPressure.stop();
        await store.close();
        await storageLock.release();
        log.info('firewatch stopped', {});
      })();
      return stopping;
    },
  };
}

/** Bytes of the LMDB files in the storage directory. */
function directoryBytes(directory: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(directory)) {
      if (name.endsWith('.mdb')) total += statSync(join(directory, name)).size;
    }
  } catch {
    // the directory vanished: report what was found
  }
  return total;
}

/** Ticks pace recovery and silence: the shortest rule check interval or half the quiet period, within bounds. */
function tickInterval(config: Config, rules: readonly DetectionRule[]): number {
  let ms = Math.min(MAX_TICK_INTERVAL_MS, (config.processors.workflow.recovery_quiet_period_seconds * 1000) / 2);
  for (const rule of rules) {
    if (rule.enabled) ms = Math.min(ms, rule.check_interval_seconds * 1000);
  }
  return Math.max(MIN_TICK_INTERVAL_MS, ms);
}

export interface RunOptions {
  configFile: string | undefined;
  socket: string | undefined;
}

/** `firewatch serve`: start, then run until SIGINT/SIGTERM (SIGHUP re-reads secrets); exit code 0 after a clean shutdown. */
export async function runDaemon(options: RunOptions): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(options.configFile).config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`firewatch: invalid configuration: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (options.socket) config.service.control.socket = options.socket;
  const log = createLogger(undefined, config.service.telemetry.logs.level);
  fixHeapGrowthFactor();

  // Listen before starting: the ready line tells supervisors the daemon is up, and a SIGTERM sent the moment it
  // appears must be a clean stop, not Node's default (die at once). A signal during start stops it once started.
  const stop = listenForStop();

  let daemon: Daemon;
  try {
    daemon = await startDaemon(config, { logger: log });
  } catch (error) {
    stop.cancel();
    process.stderr.write(`firewatch: cannot start: ${(error as Error).message}\n`);
    return 1;
  }

  const onHangUp = () => daemon.reload();
  process.on('SIGHUP', onHangUp);
  log.info('shutting down', { signal: await stop.requested });
  process.off('SIGHUP', onHangUp);
  await daemon.stop();
  return 0;
}
