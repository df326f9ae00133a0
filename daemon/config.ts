// firewatch's configuration: a Collector-style YAML file (`otel-config.yaml`).
//
//   file ──parse YAML, expand ${env:VAR} (common/config-file.ts)──▶ validate against the schema below ──▶ Config
//
// Every key is checked: unknown keys and bad values fail at start with the key's path; options that belong to
// capabilities not built yet are refused with a message saying so, never silently ignored.

import { parseConfigText, readConfigDocument, valueAt } from '../common/config-file.js';
import { parseHostPort } from '../common/endpoint.js';
import { DEFAULT_STORAGE_DIRECTORY, defaultControlSocket } from '../control/socket-path.js';
import {
  boolean,
  ConfigError,
  describeValue,
  mapping,
  nonEmptyString,
  positiveNumber,
  wholeNumber,
} from '../common/config-checks.js';
import { DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel } from '../common/logger.js';
import {
  MIN_TOKEN_LENGTH,
  createDefaultDashboardConfig,
  parseDashboardConfig,
  parseTlsFiles,
  parseTokenList,
  type DashboardConfig,
  type TlsFilesConfig,
  type TokenConfig,
} from '../control/door-config.js';
import { createDefaultNotifyConfig, parseExportersConfig, type NotifyConfig } from '../notify/config.js';
import { createDefaultRemediationConfig, parseRemediationConfig, type RemediationConfig } from '../respond/config.js';
import { MIN_EXPECTED_INTERVAL_SECONDS, builtinRules, mergeRules, type DetectionRule } from '../engine/index.js';
import {
  DEFAULT_ADMISSION_CONFIG,
  DEFAULT_MAX_SERIES,
  createDefaultMetricConverterOptions,
  parseIgnoredFilesystems,
  parseMaxSeries,
  parseMetricThresholdRules,
  parseMinSeverityNumber,
  type AdmissionConfig,
  type IgnoredFilesystems,
  type MetricThresholdRule,
} from '../receiver/index.js';

export { ConfigError } from '../common/config-checks.js';

/** Collector-style `tls` of a receiver (PEM files, re-read on SIGHUP); `client_ca_file` asks for client certificates. */
export interface ReceiverTlsConfig {
  cert_file: string;
  key_file: string;
  /** Mutual TLS: only senders with a certificate signed by these CAs get in. Default: none asked for. */
  client_ca_file: string | null;
}

/** Collector-style `auth` of a receiver: the extension that checks senders (only `bearertokenauth` exists). */
export interface ReceiverAuthConfig {
  authenticator: 'bearertokenauth';
}

export interface GrpcProtocolConfig {
  /** host:port the OTLP/gRPC receiver binds. Default `127.0.0.1:4317`. Port 0 picks a free port. */
  endpoint: string;
  /** Largest request accepted, in MiB; larger ones get RESOURCE_EXHAUSTED. Default 4. */
  max_recv_msg_size_mib: number;
  /** TLS on the port; null: plain (the default). */
  tls: ReceiverTlsConfig | null;
  /** Senders must present a token; null: anyone may send (the default). */
  auth: ReceiverAuthConfig | null;
}

export interface HttpProtocolConfig {
  /** host:port the OTLP/HTTP receiver binds. Default `127.0.0.1:4318`. Port 0 picks a free port. */
  endpoint: string;
  /** Largest request body accepted, in MiB, also after decompression; larger ones get 413. Default 20. */
  max_request_body_mib: number;
  tls: ReceiverTlsConfig | null;
  auth: ReceiverAuthConfig | null;
}

/** `extensions.bearertokenauth`, as the Collector's: the tokens an OTLP sender must present. */
export interface BearerTokenAuthConfig {
  /** The header's scheme before the token. Default `Bearer`. */
  scheme: string;
  /** The tokens (`token` and `tokens` both land here; typically `${env:…}`). */
  tokens: string[];
  /** A file of tokens, one per line (re-read on SIGHUP); null: none. */
  filename: string | null;
}

export interface ConvertConfig {
  /** A span longer than this (ms) becomes a `slow_request` event. Default 1000. */
  slow_span_threshold_ms: number;
  logs: {
    /** Log records at or above this OTLP severity number become events (17 = ERROR, 21 = FATAL). Default 17. */
    min_severity_number: number;
  };
  metrics: {
    /** Metric threshold rules; setting this list replaces the defaults (memory, filesystem, HTTP latency). */
    thresholds: MetricThresholdRule[];
    /** Cumulative series remembered for differencing histograms (least recently seen dropped). Default 10000. */
    max_series: number;
    /**
     * Filesystems the `system.filesystem.*` rules never fire for, being full by design: these types (default
     * squashfs, iso9660, udf, erofs, cramfs, romfs) and these mount modes (default `ro`). Each list replaces its
     * default; `[]` ignores nothing on that count.
     */
    ignore_filesystems: IgnoredFilesystems;
  };
}

export interface DetectConfig {
  /** Recent events kept in memory (ring buffer, indexed by trace ID). Default 100000. */
  event_ring_capacity: number;
  /** Recent spans of every trace kept in memory for root cause and drill-down (oldest evicted first). Default 200000. */
  trace_ring_capacity: number;
  /** Distinct group keys (e.g. services) tracked per rule before the least recently seen is dropped. Default 10000. */
  max_groups_per_rule: number;
  /**
   * The rules in force: the built-in rules (the seed's seven and api_rate_limit) with the file's overrides applied
   * (by `rule_id`), then custom rules. In the file: a list of rule objects, or a map keyed by rule_id. Default: the
   * built-in rules.
   */
  rules: DetectionRule[];
  silence: SilenceConfig;
}

/**
 * When a service that sends telemetry at a steady cadence falls silent long enough to count as down (judged on
 * arrival time; replayed or one-off telemetry never looks like an outage).
 */
export interface SilenceConfig {
  /** Look for silent services at all. Default true. */
  enabled: boolean;
  /** Seconds of silence before a service with an established cadence is reported; at least 60. Default 300. */
  expected_interval_seconds: number;
  /** Distinct minutes with telemetry needed to establish a cadence. Default 10. */
  min_active_minutes: number;
  /** The history those minutes must lie in, seconds; at least 60. Default 1800. */
  history_seconds: number;
}

export interface WorkflowConfig {
  /**
   * Quiet time before an incident resolves itself: once no matching event has arrived for its rule's window it is
   * `recovering`; after this many further seconds without one it is resolved (auto-resolved). Default 300.
   */
  recovery_quiet_period_seconds: number;
  /** Resolve automatically when the exit criteria hold; false stops at `recovering`. Default true. */
  auto_resolve: boolean;
}

export interface StorageConfig {
  /** Where the LMDB files live. Default `./.firewatch`. */
  directory: string;
  /** Events that belong to no incident are deleted this many hours after they arrived. Default 168 (7 days). */
  event_retention_hours: number;
}

export interface ControlConfig {
  /** Unix socket of the control API (mode 0600). Default `<storage.directory>/control.sock`. */
  socket: string;
  /** host:port of the remote door (TLS and tokens required); null: none (the default). */
  endpoint: string | null;
  /** The remote door's certificate and key (PEM files, re-read on SIGHUP). */
  tls: TlsFilesConfig | null;
  /** Who may use the remote door: each token with a name (recorded as the actor) and a role. */
  tokens: ControlTokenConfig[];
}

export type ControlTokenConfig = TokenConfig;
export { MIN_TOKEN_LENGTH };

export type MetricsLevel = 'none' | 'normal';

/** `service.telemetry`: firewatch's own log, and its Prometheus /metrics, /healthz and /readyz (daemon/telemetry-server.ts). */
export interface TelemetryConfig {
  logs: {
    /** Lines below this level are not written: debug (also every connection's protocol), info, warn, error. Default `info`. */
    level: LogLevel;
  };
  metrics: {
    /** `none` turns the endpoint off; `normal` serves it. Default `normal`. */
    level: MetricsLevel;
    /** host:port to listen on (port 0: any free port). Default `127.0.0.1:8888` (the Collector's own telemetry port). */
    endpoint: string;
  };
}

/**
 * `receivers.otlp.admission`: what both OTLP receivers together take in at once (receiver/admission.ts); past it
 * exports are refused at once with UNAVAILABLE + RetryInfo / 503 + Retry-After, and the client retries.
 */
export type { AdmissionConfig } from '../receiver/index.js';

export interface Config {
  /** Collector-style extensions; only bearertokenauth exists. */
  extensions: { bearertokenauth: BearerTokenAuthConfig | null };
  receivers: {
    otlp: {
      /** A protocol is off (null) when the file lists `receivers.otlp.protocols` without it, as in the Collector. */
      protocols: { grpc: GrpcProtocolConfig | null; http: HttpProtocolConfig | null };
      admission: AdmissionConfig;
    };
  };
  processors: { convert: ConvertConfig; detect: DetectConfig; workflow: WorkflowConfig };
  /** Notification channels (notify/config.ts); none by default: incidents are only logged. */
  exporters: NotifyConfig;
  /** Actions, approvals, recommendations and runbooks per incident type (respond/config.ts). */
  remediation: RemediationConfig;
  storage: StorageConfig;
  /** `dashboard`: the web dashboard the daemon serves itself (control/door-config.ts). */
  service: { control: ControlConfig; dashboard: DashboardConfig; telemetry: TelemetryConfig };
}


export function createDefaultConfig(): Config {
  return {
    extensions: { bearertokenauth: null },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4, tls: null, auth: null },
          http: { endpoint: '127.0.0.1:4318', max_request_body_mib: 20, tls: null, auth: null },
        },
        admission: { ...DEFAULT_ADMISSION_CONFIG },
      },
    },
    processors: {
      convert: {
        slow_span_threshold_ms: 1000,
        logs: { min_severity_number: 17 },
        metrics: {
          thresholds: createDefaultMetricConverterOptions().thresholds,
          max_series: DEFAULT_MAX_SERIES,
          ignore_filesystems: createDefaultMetricConverterOptions().ignoredFilesystems,
        },
      },
      detect: {
        event_ring_capacity: 100_000,
        trace_ring_capacity: 200_000,
        max_groups_per_rule: 10_000,
        rules: builtinRules(),
        silence: { enabled: true, expected_interval_seconds: 300, min_active_minutes: 10, history_seconds: 1800 },
      },
      workflow: { recovery_quiet_period_seconds: 300, auto_resolve: true },
    },
    exporters: createDefaultNotifyConfig(),
    remediation: createDefaultRemediationConfig(),
    storage: { directory: DEFAULT_STORAGE_DIRECTORY, event_retention_hours: 168 },
    service: {
      control: { socket: defaultControlSocket(DEFAULT_STORAGE_DIRECTORY), endpoint: null, tls: null, tokens: [] },
      dashboard: createDefaultDashboardConfig(),
      telemetry: { logs: { level: DEFAULT_LOG_LEVEL }, metrics: { level: 'normal', endpoint: '127.0.0.1:8888' } },
    },
  };
}

// ---- schema -----------------------------------------------------------------------------------------------------

type Check = (value: unknown, path: string) => unknown;

interface Section {
  kind: 'section';
  fields: Record<string, Field>;
}
type Field = Section | { kind: 'value'; check: Check } | { kind: 'unsupported'; reason: string };

const section = (fields: Record<string, Field>): Section => ({ kind: 'section', fields });
const value = (check: Check): Field => ({ kind: 'value', check });
const unsupported = (reason: string): Field => ({ kind: 'unsupported', reason });

function positiveIntegerUpTo(max: number): Check {
  return (raw, path) => wholeNumber(raw, path, 1, max);
}

function positiveNumberUpTo(max: number): Check {
  return (raw, path) => positiveNumber(raw, path, max);
}

function secondsBetween(min: number, max: number): Check {
  return (raw, path) => {
    const seconds = positiveNumber(raw, path, max);
    if (seconds < min) throw new ConfigError(path, `must be at least ${min} seconds, got ${describeValue(raw)}`);
    return seconds;
  };
}

/** One of `choices`, in any case (returned in lower case). */
function oneOf(choices: readonly string[]): Check {
  return (raw, path) => {
    const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
    if (text === undefined || !choices.includes(text)) {
      throw new ConfigError(path, `must be one of ${choices.join(', ')}, got ${describeValue(raw)}`);
    }
    return text;
  };
}

const hostPort: Check = (raw, path) => {
  const text = nonEmptyString(raw, path);
  if (parseHostPort(text) === null) {
    throw new ConfigError(path, `must be host:port (e.g. 127.0.0.1:4317), got ${describeValue(raw)}`);
  }
  return text;
};

const receiverTls: Check = (raw, path): ReceiverTlsConfig => {
  const fields = mapping(raw, path, ['cert_file', 'key_file', 'client_ca_file']);
  return {
    cert_file: nonEmptyString(fields.cert_file, `${path}.cert_file`),
    key_file: nonEmptyString(fields.key_file, `${path}.key_file`),
    client_ca_file: fields.client_ca_file === undefined || fields.client_ca_file === null ? null : nonEmptyString(fields.client_ca_file, `${path}.client_ca_file`),
  };
};

const receiverAuth: Check = (raw, path): ReceiverAuthConfig => {
  const fields = mapping(raw, path, ['authenticator']);
  const name = nonEmptyString(fields.authenticator, `${path}.authenticator`);
  if (name !== 'bearertokenauth') throw new ConfigError(`${path}.authenticator`, `must name an extension firewatch has (bearertokenauth), got ${describeValue(name)}`);
  return { authenticator: 'bearertokenauth' };
};

const bearerTokenAuth: Check = (raw, path): BearerTokenAuthConfig => {
  const fields = mapping(raw, path, ['scheme', 'token', 'tokens', 'filename']);
  const tokens: string[] = [];
  // Never describe a token's value in an error: it is a secret.
  const secret = (value: unknown, at: string): string => {
    if (typeof value !== 'string' || value.length < MIN_TOKEN_LENGTH || /\s/.test(value)) {
      throw new ConfigError(at, `must be one token of at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. \`openssl rand -hex 32\`)`);
    }
    return value;
  };
  if (fields.token !== undefined && fields.token !== null) tokens.push(secret(fields.token, `${path}.token`));
  if (fields.tokens !== undefined && fields.tokens !== null) {
    if (!Array.isArray(fields.tokens)) throw new ConfigError(`${path}.tokens`, 'must be a list of tokens');
    fields.tokens.forEach((token, index) => tokens.push(secret(token, `${path}.tokens[${index}]`)));
  }
  const filename = fields.filename === undefined || fields.filename === null ? null : nonEmptyString(fields.filename, `${path}.filename`);
  if (tokens.length === 0 && filename === null) throw new ConfigError(path, 'give token, tokens or filename');
  const scheme = fields.scheme === undefined || fields.scheme === null ? 'Bearer' : nonEmptyString(fields.scheme, `${path}.scheme`);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(scheme)) throw new ConfigError(`${path}.scheme`, `must be one word (an HTTP auth scheme such as Bearer), got ${describeValue(scheme)}`);
  return { scheme, tokens, filename };
};

const ruleList: Check = (raw, path) => {
  const merged = mergeRules(raw, path);
  if (!merged.ok) {
    // mergeRules' messages already start with the key's path.
    const [first, ...rest] = merged.errors;
    throw new ConfigError('', `${first}${rest.length > 0 ? ` (and ${rest.length} more problem(s))` : ''}`);
  }
  return merged.rules;
};

const NOT_YET = 'is not available in this version of firewatch';

const SCHEMA: Section = section({
  extensions: section({
    bearertokenauth: value(bearerTokenAuth),
  }),
  receivers: section({
    otlp: section({
      protocols: section({
        grpc: section({
          endpoint: value(hostPort),
          max_recv_msg_size_mib: value(positiveNumberUpTo(1024)),
          tls: value(receiverTls),
          auth: value(receiverAuth),
        }),
        http: section({
          endpoint: value(hostPort),
          max_request_body_mib: value(positiveNumberUpTo(1024)),
          tls: value(receiverTls),
          auth: value(receiverAuth),
          cors: unsupported(`CORS on the OTLP/HTTP receiver ${NOT_YET}`),
        }),
      }),
      admission: section({
        max_in_flight_mib: value(positiveNumberUpTo(16_384)),
        max_in_flight_items: value(positiveIntegerUpTo(100_000_000)),
        max_store_backlog: value(positiveIntegerUpTo(1_000_000)),
        max_events_per_export: value(positiveIntegerUpTo(10_000_000)),
        max_event_loop_utilization: value(positiveNumberUpTo(1)),
        retry_after_seconds: value(positiveNumberUpTo(3_600)),
      }),
    }),
  }),
  processors: section({
    convert: section({
      slow_span_threshold_ms: value(positiveNumberUpTo(86_400_000)),
      logs: section({
        min_severity_number: value(parseMinSeverityNumber),
      }),
      metrics: section({
        thresholds: value(parseMetricThresholdRules),
        max_series: value(parseMaxSeries),
        ignore_filesystems: value(parseIgnoredFilesystems),
      }),
    }),
    detect: section({
      event_ring_capacity: value(positiveIntegerUpTo(10_000_000)),
      trace_ring_capacity: value(positiveIntegerUpTo(50_000_000)),
      max_groups_per_rule: value(positiveIntegerUpTo(1_000_000)),
      rules: value(ruleList),
      silence: section({
        enabled: value(boolean),
        expected_interval_seconds: value(secondsBetween(MIN_EXPECTED_INTERVAL_SECONDS, 86_400)),
        min_active_minutes: value(positiveIntegerUpTo(1_440)),
        history_seconds: value(secondsBetween(60, 86_400)),
      }),
    }),
    workflow: section({
      recovery_quiet_period_seconds: value(positiveNumberUpTo(604_800)),
      auto_resolve: value(boolean),
    }),
  }),
  exporters: value((raw, path) => parseExportersConfig(raw, path)),
  remediation: value((raw, path) => parseRemediationConfig(raw, path)),
  storage: section({
    directory: value(nonEmptyString),
    event_retention_hours: value(positiveNumberUpTo(87_600)),
  }),
  service: section({
    control: section({
      socket: value(nonEmptyString),
      endpoint: value(hostPort),
      tls: value(parseTlsFiles),
      tokens: value(parseTokenList),
    }),
    dashboard: value(parseDashboardConfig),
    telemetry: section({
      logs: section({
        level: value(oneOf(LOG_LEVELS)),
      }),
      metrics: section({
        level: value(oneOf(['none', 'normal'] satisfies MetricsLevel[])),
        endpoint: value(hostPort),
      }),
    }),
  }),
});

/** Walks `raw` against the schema, writing checked values into `target` (a default config). */
function applySection(schema: Section, raw: unknown, target: Record<string, unknown>, path: string): void {
  if (raw === null || raw === undefined) return; // an empty section keeps its defaults
  for (const [key, item] of Object.entries(mapping(raw, path, Object.keys(schema.fields)))) {
    const keyPath = path ? `${path}.${key}` : key;
    const field = schema.fields[key]!;
    if (field.kind === 'unsupported') throw new ConfigError(keyPath, field.reason);
    if (field.kind === 'value') {
      target[key] = field.check(item, keyPath);
      continue;
    }
    const child = (target[key] ??= {}) as Record<string, unknown>;
    applySection(field, item, child, keyPath);
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined when built-in defaults were used. */
  file: string | undefined;
}

/** Parses and validates YAML text; throws ConfigError naming the bad key. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env, fileLabel = 'config'): Config {
  return configFromDocument(parseConfigText(text, env, fileLabel));
}

/** Validates a parsed, expanded document (common/config-file.ts); throws ConfigError naming the bad key. */
export function configFromDocument(raw: unknown): Config {
  const config = createDefaultConfig();
  const socketWasSet = hasPath(raw, ['service', 'control', 'socket']);
  applySection(SCHEMA, raw, config as unknown as Record<string, unknown>, '');
  // Collector semantics: listing protocols enables exactly those.
  if (hasPath(raw, ['receivers', 'otlp', 'protocols'])) {
    const protocols = config.receivers.otlp.protocols;
    if (!hasPath(raw, ['receivers', 'otlp', 'protocols', 'grpc'])) protocols.grpc = null;
    if (!hasPath(raw, ['receivers', 'otlp', 'protocols', 'http'])) protocols.http = null;
    const listed = (raw as { receivers: { otlp: { protocols: Record<string, unknown> } } }).receivers.otlp.protocols;
    const defaults = createDefaultConfig().receivers.otlp.protocols;
    if ('grpc' in listed && listed.grpc === null) protocols.grpc = defaults.grpc;
    if ('http' in listed && listed.http === null) protocols.http = defaults.http;
    if (!protocols.grpc && !protocols.http) {
      throw new ConfigError('receivers.otlp.protocols', 'enable at least one of grpc, http');
    }
  }
  for (const name of ['grpc', 'http'] as const) {
    const protocol = config.receivers.otlp.protocols[name];
    if (protocol?.auth && config.extensions.bearertokenauth === null) {
      throw new ConfigError(`receivers.otlp.protocols.${name}.auth`, 'names bearertokenauth, but extensions.bearertokenauth is not configured');
    }
  }
  const control = config.service.control;
  if (control.endpoint !== null) {
    // A remote door is never plain: refuse to start rather than open one without TLS or tokens.
    if (control.tls === null) throw new ConfigError('service.control.tls', 'is required with service.control.endpoint (cert_file, key_file)');
    if (control.tokens.length === 0) throw new ConfigError('service.control.tokens', 'are required with service.control.endpoint (at least one {name, role, token})');
  }
  if (!socketWasSet) {
    config.service.control.socket = defaultControlSocket(config.storage.directory);
  }
  return config;
}

function hasPath(raw: unknown, keys: string[]): boolean {
  const value = valueAt(raw, keys);
  return value !== undefined && value !== null;
}

/**
 * Loads `--config FILE`, else `./otel-config.yaml` when present, else the built-in defaults.
 * A named file that cannot be read is an error; the implicit default file is optional.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const document = readConfigDocument(file, env);
  return { config: document.file === undefined ? createDefaultConfig() : configFromDocument(document.raw), file: document.file };
}
