// firewatch's configuration: a Collector-style YAML file (`otel-config.yaml`).
//
//   file ──parse YAML──▶ expand ${env:VAR} in string scalars ──▶ validate against the schema below ──▶ Config
//
// Expansion happens on parsed scalars, never on the raw text, so an environment variable can never inject YAML
// structure. Every key is checked: unknown keys and bad values fail at start with the key's path; options that
// belong to capabilities not built yet are refused with a message saying so, never silently ignored.

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { builtinRules } from '../engine/builtin-rules.js';
import { mergeRules } from '../engine/rule-config.js';
import type { DetectionRule } from '../engine/types.js';
import { parseMinSeverityNumber } from '../receiver/logs/log-converter-options.js';
import {
  createDefaultMetricConverterOptions,
  DEFAULT_MAX_SERIES,
  parseMaxSeries,
  parseMetricThresholdRules,
  type MetricThresholdRule,
} from '../receiver/metrics/metric-converter-options.js';
import { DEFAULT_ADMISSION_CONFIG, type AdmissionConfig } from '../receiver/admission.js';
import { ReceiverOptionError } from '../receiver/option-checks.js';
import {
  boolean,
  ConfigError,
  describeValue,
  mapping,
  nonEmptyString,
  positiveNumber,
  setOwn,
  wholeNumber,
} from './config-error.js';
import { createDefaultNotifyConfig, parseExportersConfig, type NotifyConfig } from '../notify/config.js';
import { createDefaultRemediationConfig, parseRemediationConfig, type RemediationConfig } from '../respond/config.js';

export { ConfigError } from './config-error.js';

export interface GrpcProtocolConfig {
  /** host:port the OTLP/gRPC receiver binds. Default `127.0.0.1:4317`. Port 0 picks a free port. */
  endpoint: string;
  /** Largest request accepted, in MiB; larger ones get RESOURCE_EXHAUSTED. Default 4. */
  max_recv_msg_size_mib: number;
}

export interface HttpProtocolConfig {
  /** host:port the OTLP/HTTP receiver binds. Default `127.0.0.1:4318`. Port 0 picks a free port. */
  endpoint: string;
  /** Largest request body accepted, in MiB, also after decompression; larger ones get 413. Default 20. */
  max_request_body_mib: number;
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
   * The rules in force: the seven built-in rules with the file's overrides applied (by `rule_id`), then custom
   * rules. In the file: a list of rule objects, or a map keyed by rule_id. Default: the built-in rules.
   */
  rules: DetectionRule[];
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
}

export type MetricsLevel = 'none' | 'normal';

/** `service.telemetry`: firewatch's own Prometheus /metrics, /healthz and /readyz (daemon/telemetry-server.ts). */
export interface TelemetryConfig {
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
export type { AdmissionConfig } from '../receiver/admission.js';

export interface Config {
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
  service: { control: ControlConfig; telemetry: TelemetryConfig };
}

export const DEFAULT_CONFIG_FILE = 'otel-config.yaml';
export const DEFAULT_STORAGE_DIRECTORY = './.firewatch';
export const CONTROL_SOCKET_NAME = 'control.sock';

export function createDefaultConfig(): Config {
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 },
          http: { endpoint: '127.0.0.1:4318', max_request_body_mib: 20 },
        },
        admission: { ...DEFAULT_ADMISSION_CONFIG },
      },
    },
    processors: {
      convert: {
        slow_span_threshold_ms: 1000,
        logs: { min_severity_number: 17 },
        metrics: { thresholds: createDefaultMetricConverterOptions().thresholds, max_series: DEFAULT_MAX_SERIES },
      },
      detect: { event_ring_capacity: 100_000, trace_ring_capacity: 200_000, max_groups_per_rule: 10_000, rules: builtinRules() },
      workflow: { recovery_quiet_period_seconds: 300, auto_resolve: true },
    },
    exporters: createDefaultNotifyConfig(),
    remediation: createDefaultRemediationConfig(),
    storage: { directory: DEFAULT_STORAGE_DIRECTORY, event_retention_hours: 168 },
    service: {
      control: { socket: `${DEFAULT_STORAGE_DIRECTORY}/${CONTROL_SOCKET_NAME}` },
      telemetry: { metrics: { level: 'normal', endpoint: '127.0.0.1:8888' } },
    },
  };
}

// ---- ${env:VAR} expansion -------------------------------------------------------------------------------------

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${env:VAR}` and `${env:VAR:-default}` in every string scalar; `$${…}` escapes a literal `${…}`. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return expandString(value, env, path);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => expandEnv(item, env, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      setOwn(out, key, expandEnv(item, env, path ? `${path}.${key}` : key));
    }
    return out;
  }
  return value;
}

function expandString(text: string, env: NodeJS.ProcessEnv, path: string): string {
  const ESCAPED = '\u0000firewatch-escaped-dollar\u0000';
  const escaped = text.split('$${').join(ESCAPED);
  const expanded = escaped.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(path, `environment variable ${name} is not set (use \${env:${name}:-default} for a default)`);
  });
  return expanded.split(ESCAPED).join('${');
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
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) {
    throw new ConfigError(path, `must be host:port (e.g. 127.0.0.1:4317), got ${describeValue(raw)}`);
  }
  return text;
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

/** Adapts the receiver's option parsers (which throw ReceiverOptionError naming the path) to config checks. */
function receiverCheck<T>(parse: (raw: unknown, path: string) => T): Check {
  return (raw, path) => {
    try {
      return parse(raw, path);
    } catch (error) {
      if (error instanceof ReceiverOptionError) throw new ConfigError(error.path, error.detail);
      throw error;
    }
  };
}

const NOT_YET = 'is not available in this version of firewatch';

const SCHEMA: Section = section({
  receivers: section({
    otlp: section({
      protocols: section({
        grpc: section({
          endpoint: value(hostPort),
          max_recv_msg_size_mib: value(positiveNumberUpTo(1024)),
          tls: unsupported(`TLS on the OTLP receiver ${NOT_YET}; terminate TLS in a Collector in front of firewatch`),
          auth: unsupported(`receiver authentication ${NOT_YET}`),
        }),
        http: section({
          endpoint: value(hostPort),
          max_request_body_mib: value(positiveNumberUpTo(1024)),
          tls: unsupported(`TLS on the OTLP receiver ${NOT_YET}; terminate TLS in a Collector in front of firewatch`),
          auth: unsupported(`receiver authentication ${NOT_YET}`),
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
        min_severity_number: value(receiverCheck(parseMinSeverityNumber)),
      }),
      metrics: section({
        thresholds: value(receiverCheck(parseMetricThresholdRules)),
        max_series: value(receiverCheck(parseMaxSeries)),
      }),
    }),
    detect: section({
      event_ring_capacity: value(positiveIntegerUpTo(10_000_000)),
      trace_ring_capacity: value(positiveIntegerUpTo(50_000_000)),
      max_groups_per_rule: value(positiveIntegerUpTo(1_000_000)),
      rules: value(ruleList),
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
    }),
    telemetry: section({
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
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ConfigError('', `${fileLabel}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const raw = expandEnv(document.toJS({ maxAliasCount: 100 }) ?? {}, env);
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
  if (!socketWasSet) {
    config.service.control.socket = `${config.storage.directory.replace(/\/+$/, '')}/${CONTROL_SOCKET_NAME}`;
  }
  return config;
}

function hasPath(raw: unknown, keys: string[]): boolean {
  let node = raw;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined && node !== null;
}

/**
 * Loads `--config FILE`, else `./otel-config.yaml` when present, else the built-in defaults.
 * A named file that cannot be read is an error; the implicit default file is optional.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const chosen = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFileSync(chosen, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (file === undefined && code === 'ENOENT') return { config: createDefaultConfig(), file: undefined };
    throw new ConfigError('', `cannot read config file ${chosen}: ${code ?? (error as Error).message}`);
  }
  return { config: parseConfig(text, env, chosen), file: chosen };
}
