// Span → EventDraft, in two steps so that ordinary spans cost almost nothing:
//
//   classify(span)  every span: a few integer compares on the reused view → rule | flags (allocates only to search
//                   a failed client span's texts for "connection refused")
//   toDraft(span)   only spans that classify as something: decode strings, build message and metadata
//
// Rules (DESIGN.md "Converting telemetry to events"; names and severities configurable, span-converter-options.ts):
//   1. CLIENT span whose peer refused the connection (ECONNREFUSED / "connection refused" in the status message,
//      exception message or error.type), answered gRPC UNAVAILABLE (rpc.grpc.status_code 14) or HTTP 503
//      → service_unavailable, source = the peer, caller in metadata.
//   2. CLIENT span answered HTTP 429 → rate_limited, source = the rate-limited API (the peer), caller in metadata:
//      the limit is the API's, whatever the caller does with it (the seed's API Rate Limit).
//   3. status ERROR, or SERVER span with HTTP status ≥ 500 → database_connection_error (db.system present),
//      else api_error (SERVER) or error.
//   4. otherwise longer than the slow threshold → slow_request.
//   `firewatch.event_type` renames the event (and makes any span an event); `firewatch.severity` overrides severity.
//   `workflow.name`, `workflow.id` and `workflow.critical` go into metadata (a critical workflow's failures escalate).

import { createEventStrings, MAX_MESSAGE_LENGTH, MAX_METADATA_VALUE_LENGTH, MetadataBuilder } from '../event-metadata.js';
import { UNKNOWN_SERVICE } from '../wire/any-value.js';
import { truncateChars } from '../wire/utf8.js';
import {
  KEY_DB_SYSTEM,
  KEY_DB_SYSTEM_NAME,
  KEY_ERROR_TYPE,
  KEY_EVENT_TYPE,
  KEY_HTTP_METHOD,
  KEY_HTTP_METHOD_LEGACY,
  KEY_HTTP_ROUTE,
  KEY_HTTP_STATUS,
  KEY_HTTP_STATUS_LEGACY,
  KEY_HTTP_TARGET,
  KEY_RPC_GRPC_STATUS,
  KEY_RPC_METHOD,
  KEY_RPC_SERVICE,
  KEY_RPC_SYSTEM,
  KEY_SEVERITY,
  KEY_URL_PATH,
  KEY_WORKFLOW_CRITICAL,
  KEY_WORKFLOW_ID,
  KEY_WORKFLOW_NAME,
} from './span-attribute-keys.js';
import { spanPeer, USER_KEYS } from './span-parties.js';
import {
  createDefaultSpanConverterOptions,
  MAX_EVENT_TYPE_LENGTH,
  type SpanConverterOptions,
} from './span-converter-options.js';
import {
  type ResourceViewFast,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  type SpanViewFast,
  STATUS_CODE_ERROR,
} from './span-view.js';
import { isSeverity, type EventDraft, type Severity } from '../../engine/index.js';

/** classify() result: one rule in the low bits, flags above. */
export const SPAN_RULE_NONE = 0;
export const SPAN_RULE_ERROR = 1;
export const SPAN_RULE_API_ERROR = 2;
export const SPAN_RULE_DATABASE_ERROR = 3;
export const SPAN_RULE_SERVICE_UNAVAILABLE = 4;
export const SPAN_RULE_SLOW_REQUEST = 5;
export const SPAN_RULE_RATE_LIMITED = 6;
export const SPAN_RULE_MASK = 0x0f;
/** The span failed (rules 1–2): counted in the per-service error totals. */
export const SPAN_FLAG_FAILED = 0x10;
/** The span carries `firewatch.event_type` (and the option to honour it is on). */
export const SPAN_FLAG_CUSTOM_TYPE = 0x20;

/** Bounds on what one event may carry (event-metadata.ts), re-exported where span code has always found them. */
export { MAX_MESSAGE_LENGTH, MAX_METADATA_KEYS, MAX_METADATA_VALUE_LENGTH } from '../event-metadata.js';
/** Longest severity text worth reading (`critical` is 8). */
const MAX_SEVERITY_TEXT_LENGTH = 16;

/** gRPC status UNAVAILABLE (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_STATUS_UNAVAILABLE = 14;
const HTTP_SERVICE_UNAVAILABLE = 503;
const HTTP_TOO_MANY_REQUESTS = 429;
const HTTP_STATUS_MIN = 100;
/** Where a refused connection shows up in status messages, exception messages and error.type values. */
const CONNECTION_REFUSED_MARKERS: readonly string[] = ['econnrefused', 'connection refused'];
/** Source of a service_unavailable event whose span names no peer at all. */
export const UNKNOWN_PEER = 'unknown_peer';

const NANOS_PER_MS = 1e6;
const MICROS_PER_MS = 1e3;

export interface SpanConverter {
  readonly options: SpanConverterOptions;
  /** Rule and flags for the span (SPAN_RULE_* | SPAN_FLAG_*). Allocation-free for spans that match nothing. */
  classify(span: SpanViewFast): number;
  /** The event for a span classified as `classification`, or null when it yields none. */
  toDraft(span: SpanViewFast, resource: ResourceViewFast, classification: number): EventDraft | null;
}

export function createSpanConverter(options: SpanConverterOptions = createDefaultSpanConverterOptions()): SpanConverter {
  return new RuleSpanConverter(options);
}

class RuleSpanConverter implements SpanConverter {
  readonly options: SpanConverterOptions;
  /** Threshold compared against durationNs(); Infinity when disabled, so the compare never fires. */
  private readonly slowThresholdNs: number;
  private readonly httpServerErrorStatus: number;
  private readonly honourFirewatchAttributes: boolean;
  private readonly typeByRule: readonly string[];
  private readonly severityByRule: readonly Severity[];
  /** One copy of each repeated event string (event-metadata.ts). */
  private readonly strings = createEventStrings();

  constructor(options: SpanConverterOptions) {
    this.options = options;
    this.slowThresholdNs = options.slowSpanThresholdMs > 0 ? options.slowSpanThresholdMs * NANOS_PER_MS : Infinity;
    this.httpServerErrorStatus = options.httpServerErrorStatus;
    this.honourFirewatchAttributes = options.honourFirewatchAttributes;
    const types = options.eventTypes;
    const severities = options.severities;
    // Indexed by SPAN_RULE_*; index 0 (no rule) is where a custom-typed span without a rule lands.
    this.typeByRule = ['', types.error, types.apiError, types.databaseError, types.serviceUnavailable, types.slowRequest, types.rateLimited];
    this.severityByRule = [
      severities.custom,
      severities.error,
      severities.apiError,
      severities.databaseError,
      severities.serviceUnavailable,
      severities.slowRequest,
      severities.rateLimited,
    ];
  }

  classify(span: SpanViewFast): number {
    const statusError = span.statusCode === STATUS_CODE_ERROR;
    const kind = span.kind;
    let result = SPAN_RULE_NONE;
    if (kind === SPAN_KIND_CLIENT && isPeerUnavailable(span, statusError)) {
      result = SPAN_RULE_SERVICE_UNAVAILABLE | SPAN_FLAG_FAILED;
    } else if (kind === SPAN_KIND_CLIENT && httpStatusOf(span) === HTTP_TOO_MANY_REQUESTS) {
      result = SPAN_RULE_RATE_LIMITED | SPAN_FLAG_FAILED;
    } else if (statusError || (kind === SPAN_KIND_SERVER && httpStatusOf(span) >= this.httpServerErrorStatus)) {
      const rule = isDatabaseSpan(span)
        ? SPAN_RULE_DATABASE_ERROR
        : kind === SPAN_KIND_SERVER
          ? SPAN_RULE_API_ERROR
          : SPAN_RULE_ERROR;
      result = rule | SPAN_FLAG_FAILED;
    } else if (span.durationNs() > this.slowThresholdNs) {
      result = SPAN_RULE_SLOW_REQUEST;
    }
    if (this.honourFirewatchAttributes && span.has(KEY_EVENT_TYPE)) result |= SPAN_FLAG_CUSTOM_TYPE;
    return result;
  }

  toDraft(span: SpanViewFast, resource: ResourceViewFast, classification: number): EventDraft | null {
    const rule = classification & SPAN_RULE_MASK;
    const customType =
      (classification & SPAN_FLAG_CUSTOM_TYPE) !== 0 ? span.string(KEY_EVENT_TYPE, MAX_EVENT_TYPE_LENGTH) : null;
    if (customType === null && rule === SPAN_RULE_NONE) return null;

    const service = resource.serviceName ?? UNKNOWN_SERVICE;
    const facts = readSpanFacts(span);
    const strings = this.strings;
    const meta = new MetadataBuilder(strings);
    meta.putName('span_name', facts.name);
    meta.putName('kind', span.kindName());
    if (facts.statusMessage !== null) meta.putName('status_message', facts.statusMessage);
    if (facts.httpStatus >= HTTP_STATUS_MIN) meta.put('status_code', facts.httpStatus);
    if (facts.httpMethod !== null) meta.putName('http.method', facts.httpMethod);
    if (facts.httpRoute !== null) meta.putName('http.route', facts.httpRoute);
    if (facts.durationNs > 0) meta.put('duration_ms', roundToMicros(facts.durationNs));
    if (facts.exceptionType !== null) meta.putName('exception.type', facts.exceptionType);
    if (facts.exceptionMessage !== null) meta.put('exception.message', facts.exceptionMessage);
    if (facts.errorType !== null) meta.putName('error.type', facts.errorType);
    if (facts.dbSystem !== null) meta.putName('db.system', facts.dbSystem);
    putRpc(meta, span);
    if (facts.peer !== null) meta.putName('peer', facts.peer);
    // Each identity under its own key, as log events carry them (engine/users.ts picks one).
    for (const [id, name] of USER_KEYS) {
      const user = span.string(id, MAX_METADATA_VALUE_LENGTH);
      if (user !== null) meta.put(name, user);
    }
    putWorkflow(meta, span);

    let source = service;
    let message: string;
    switch (rule) {
      case SPAN_RULE_SERVICE_UNAVAILABLE: {
        const peer = facts.peer ?? span.string(KEY_RPC_SERVICE, MAX_METADATA_VALUE_LENGTH) ?? UNKNOWN_PEER;
        if (customType === null) source = peer;
        meta.putName('caller', service);
        message = `${service} could not reach ${peer}: ${unavailableReason(span, facts)}`;
        break;
      }
      case SPAN_RULE_RATE_LIMITED: {
        const api = facts.peer ?? UNKNOWN_PEER;
        if (customType === null) source = api;
        meta.putName('caller', service);
        message = `${api} rate-limited ${service}: ${facts.reason() ?? `HTTP ${HTTP_TOO_MANY_REQUESTS}`}`;
        break;
      }
      case SPAN_RULE_API_ERROR:
      case SPAN_RULE_ERROR:
        message = failureMessage(facts);
        break;
      case SPAN_RULE_DATABASE_ERROR: {
        const reason = facts.reason();
        message = `${facts.dbSystem ?? 'database'} call "${facts.name}" failed${reason === null ? '' : `: ${reason}`}`;
        break;
      }
      case SPAN_RULE_SLOW_REQUEST: {
        const thresholdMs = this.options.slowSpanThresholdMs;
        meta.put('threshold_ms', thresholdMs);
        message = `${facts.label()} took ${Math.round(facts.durationNs / NANOS_PER_MS)} ms (threshold ${thresholdMs} ms)`;
        break;
      }
      default:
        message = facts.reason() ?? `span "${facts.name}" reported ${customType ?? 'an event'}`;
    }

    // Made from names (route, status, peer), so it repeats and is interned; a slow request's carries its duration.
    const shownMessage = truncateChars(message, MAX_MESSAGE_LENGTH);
    return {
      timestamp: span.timestampMs(),
      event_type: customType ?? this.typeByRule[rule]!,
      source: strings.intern(source),
      severity: severityOverride(span) ?? this.severityByRule[rule]!,
      message: rule === SPAN_RULE_SLOW_REQUEST ? shownMessage : strings.intern(shownMessage),
      metadata: meta.metadata,
      correlation_id: span.traceIdHex(),
      span_id: span.spanIdHex(),
    };
  }
}

/** HTTP status of the span (current attribute name, else the legacy one); NaN when it has none. */
function httpStatusOf(span: SpanViewFast): number {
  return span.number(KEY_HTTP_STATUS) || span.number(KEY_HTTP_STATUS_LEGACY);
}

function isDatabaseSpan(span: SpanViewFast): boolean {
  return span.has(KEY_DB_SYSTEM) || span.has(KEY_DB_SYSTEM_NAME);
}

/** Rule 1's test. Reads strings only for client spans that already show a failure. */
function isPeerUnavailable(span: SpanViewFast, statusError: boolean): boolean {
  if (span.number(KEY_RPC_GRPC_STATUS) === GRPC_STATUS_UNAVAILABLE) return true;
  if (httpStatusOf(span) === HTTP_SERVICE_UNAVAILABLE) return true;
  if (!statusError && !span.has(KEY_ERROR_TYPE)) return false;
  return (
    mentionsConnectionRefused(span.statusMessage(MAX_MESSAGE_LENGTH)) ||
    mentionsConnectionRefused(span.exceptionMessage(MAX_MESSAGE_LENGTH)) ||
    mentionsConnectionRefused(span.string(KEY_ERROR_TYPE, MAX_METADATA_VALUE_LENGTH))
  );
}

function mentionsConnectionRefused(text: string | null): boolean {
  if (text === null) return false;
  const lower = text.toLowerCase();
  for (const marker of CONNECTION_REFUSED_MARKERS) if (lower.includes(marker)) return true;
  return false;
}

/** `firewatch.severity` in any case, when it names a severity. */
function severityOverride(span: SpanViewFast): Severity | null {
  const text = span.string(KEY_SEVERITY, MAX_SEVERITY_TEXT_LENGTH);
  if (text === null) return null;
  const lower = text.toLowerCase();
  return isSeverity(lower) ? lower : null;
}

/** The strings of a span that became an event, each read once and bounded. */
interface SpanFacts {
  name: string;
  statusMessage: string | null;
  exceptionType: string | null;
  exceptionMessage: string | null;
  errorType: string | null;
  httpStatus: number;
  httpMethod: string | null;
  /** http.route, else http.target, else url.path. */
  httpRoute: string | null;
  dbSystem: string | null;
  /** Client and producer spans: peer.service, else server.address:server.port, else net.peer.name:net.peer.port. */
  peer: string | null;
  durationNs: number;
  /** What went wrong in words: status message, else exception (type: message), else error.type. */
  reason(): string | null;
  /** `METHOD route` for HTTP spans, else `span "name"`. */
  label(): string;
}

function readSpanFacts(span: SpanViewFast): SpanFacts {
  const bound = MAX_METADATA_VALUE_LENGTH;
  // The texts that may make up the message get the message's bound; MetadataBuilder cuts them for metadata.
  const exceptionType = span.exceptionType(bound);
  const exceptionMessage = span.exceptionMessage(MAX_MESSAGE_LENGTH);
  const statusMessage = span.statusMessage(MAX_MESSAGE_LENGTH);
  const errorType = span.string(KEY_ERROR_TYPE, bound);
  const name = span.name(bound);
  const httpMethod = span.string(KEY_HTTP_METHOD, bound) ?? span.string(KEY_HTTP_METHOD_LEGACY, bound);
  const httpRoute = span.string(KEY_HTTP_ROUTE, bound) ?? span.string(KEY_HTTP_TARGET, bound) ?? span.string(KEY_URL_PATH, bound);
  return {
    name,
    statusMessage,
    exceptionType,
    exceptionMessage,
    errorType,
    httpStatus: httpStatusOf(span),
    httpMethod,
    httpRoute,
    dbSystem: span.string(KEY_DB_SYSTEM, bound) ?? span.string(KEY_DB_SYSTEM_NAME, bound),
    peer: spanPeer(span, bound),
    durationNs: span.durationNs(),
    reason() {
      if (statusMessage !== null) return statusMessage;
      if (exceptionMessage !== null) return exceptionType === null ? exceptionMessage : `${exceptionType}: ${exceptionMessage}`;
      return exceptionType ?? errorType;
    },
    label() {
      if (httpMethod !== null && httpRoute !== null) return `${httpMethod} ${httpRoute}`;
      return `span "${name}"`;
    },
  };
}

/** api_error / error: `POST /api/users returned 500: <reason>`, else the reason, else `span "<name>" failed`. */
function failureMessage(facts: SpanFacts): string {
  const reason = facts.reason();
  if (facts.httpStatus >= HTTP_STATUS_MIN) {
    const target = facts.httpRoute ?? facts.peer ?? `"${facts.name}"`;
    const request = facts.httpMethod === null ? target : `${facts.httpMethod} ${target}`;
    return `${request} returned ${facts.httpStatus}${reason === null ? '' : `: ${reason}`}`;
  }
  return reason ?? `span "${facts.name}" failed`;
}

function unavailableReason(span: SpanViewFast, facts: SpanFacts): string {
  const reason = facts.reason();
  if (reason !== null) return reason;
  if (span.number(KEY_RPC_GRPC_STATUS) === GRPC_STATUS_UNAVAILABLE) return 'gRPC UNAVAILABLE';
  return `HTTP ${HTTP_SERVICE_UNAVAILABLE}`;
}

function putRpc(meta: MetadataBuilder, span: SpanViewFast): void {
  const system = span.string(KEY_RPC_SYSTEM, MAX_METADATA_VALUE_LENGTH);
  if (system === null) return;
  meta.putName('rpc.system', system);
  const service = span.string(KEY_RPC_SERVICE, MAX_METADATA_VALUE_LENGTH);
  if (service !== null) meta.putName('rpc.service', service);
  const method = span.string(KEY_RPC_METHOD, MAX_METADATA_VALUE_LENGTH);
  if (method !== null) meta.putName('rpc.method', method);
  const grpcStatus = span.number(KEY_RPC_GRPC_STATUS);
  if (!Number.isNaN(grpcStatus)) meta.put('rpc.grpc.status_code', grpcStatus);
}

/** The workflow a span ran (firewatch's attributes): its name and id as text, whether it is critical as a boolean. */
function putWorkflow(meta: MetadataBuilder, span: SpanViewFast): void {
  const name = span.string(KEY_WORKFLOW_NAME, MAX_METADATA_VALUE_LENGTH);
  if (name !== null) meta.putName('workflow.name', name);
  const id = span.string(KEY_WORKFLOW_ID, MAX_METADATA_VALUE_LENGTH);
  if (id !== null) meta.put('workflow.id', id);
  const critical = span.string(KEY_WORKFLOW_CRITICAL, MAX_SEVERITY_TEXT_LENGTH);
  if (critical !== null) meta.put('workflow.critical', critical.toLowerCase() === 'true');
}

function roundToMicros(ns: number): number {
  return Math.round(ns / MICROS_PER_MS) / MICROS_PER_MS;
}
