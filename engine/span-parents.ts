// Parent links that sampling and proxies cut, reconnected as far as the data of one trace allows (root-cause.ts).
//
// A span whose parent_span_id names a span the trace does not hold is an orphan: its parent was never exported (a
// tail-sampling filter kept only failing spans, a proxy propagated the context but exports nothing, the SDK dropped
// it). Left cut, the orphan's ancestors look like leaves, and the empty failing SERVER span at the edge of the trace
// becomes the root span instead of the callee's span that carries the exception. What the trace still says:
//
//   orphan received a call (SERVER, CONSUMER kind)          orphan is inside its service (INTERNAL, CLIENT, PRODUCER)
//     4  a call (CLIENT, PRODUCER span) of another service    2  a span of its own service that contains it in time
//        naming the orphan's service (peer.service, or          (its local parent was dropped: the nearest
//        server.address: `ledger`, `ledger:8080`,               enclosing span of the same clock)
//        `ledger.payments.svc.cluster.local`) and containing
//        it in time
//     3  such a naming call that does not contain it (the callee's clock is skewed): the nearest in start time
//     2  a call of another service that contains it (the call named a proxy or an IP)
//     1  any span of another service that contains it (the call itself was dropped)
//
// The highest rank wins; among equal ranks the tightest container (latest start, then earliest end), or for rank 3
// the nearest start. A link that would make a cycle is not made. Spans of one trace only, so a reconnection never
// joins what the trace ID does not. Bounded: at most MAX_RECONNECT_CHECKS candidate comparisons per trace (a trace of
// 1,000 spans with every parent cut stops after 50 orphans; the rest stay cut).

import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER } from './types.js';
import type { SpanRecord } from './types.js';

/** Candidate comparisons per trace, all orphans together. */
export const MAX_RECONNECT_CHECKS = 50_000;

const NO_RECONNECTIONS: ReadonlyMap<string, string> = new Map();

function isEntry(span: SpanRecord): boolean {
  return span.kind === SPAN_KIND_SERVER || span.kind === SPAN_KIND_CONSUMER;
}

function isCall(span: SpanRecord): boolean {
  return span.kind === SPAN_KIND_CLIENT || span.kind === SPAN_KIND_PRODUCER;
}

function contains(outer: SpanRecord, inner: SpanRecord): boolean {
  return outer.start_ms <= inner.start_ms && outer.end_ms >= inner.end_ms;
}

/** The host part of a peer (`host:port`, `[v6]:port`, or a bare host), lower case. */
function hostOf(peer: string): string {
  if (peer.startsWith('[')) {
    const close = peer.indexOf(']');
    return (close === -1 ? peer : peer.slice(1, close)).toLowerCase();
  }
  const colon = peer.indexOf(':');
  return (colon !== -1 && colon === peer.lastIndexOf(':') ? peer.slice(0, colon) : peer).toLowerCase();
}

/** Whether a call's peer names `service`: the same name, its host, or a DNS name whose first label it is. */
export function peerNames(peer: string, service: string): boolean {
  if (peer === '' || service === '') return false;
  if (peer === service) return true;
  const host = hostOf(peer);
  const name = service.toLowerCase();
  return host === name || host.startsWith(`${name}.`);
}

/** How well `candidate` explains `orphan`'s missing parent (the table at the top); 0 when not at all. */
function linkRank(orphan: SpanRecord, candidate: SpanRecord): number {
  const sameService = candidate.service === orphan.service;
  if (!isEntry(orphan)) return sameService && contains(candidate, orphan) ? 2 : 0;
  if (sameService) return 0;
  const inside = contains(candidate, orphan);
  if (isCall(candidate)) {
    if (peerNames(candidate.peer, orphan.service)) return inside ? 4 : 3;
    return inside ? 2 : 0;
  }
  return inside ? 1 : 0;
}

/** Whether `a` is a better parent than `b` of equal rank for `orphan`. */
function better(rank: number, orphan: SpanRecord, a: SpanRecord, b: SpanRecord): boolean {
  if (rank === 3) return Math.abs(a.start_ms - orphan.start_ms) < Math.abs(b.start_ms - orphan.start_ms);
  return a.start_ms > b.start_ms || (a.start_ms === b.start_ms && a.end_ms < b.end_ms);
}

/**
 * The parents found for the orphans of one trace (`byId`: its spans by span ID, each once): orphan span ID → parent
 * span ID. Orphans no span explains are left out.
 */
export function reconnectOrphans(byId: ReadonlyMap<string, SpanRecord>): ReadonlyMap<string, string> {
  let orphans: SpanRecord[] | undefined;
  for (const span of byId.values()) {
    if (span.parent_span_id !== '' && !byId.has(span.parent_span_id)) (orphans ??= []).push(span);
  }
  if (orphans === undefined) return NO_RECONNECTIONS;
  const reconnected = new Map<string, string>();
  const parentOf = (span: SpanRecord): string =>
    byId.has(span.parent_span_id) ? span.parent_span_id : (reconnected.get(span.span_id) ?? '');
  let budget = MAX_RECONNECT_CHECKS;
  for (const orphan of orphans) {
    if (budget < byId.size) break;
    budget -= byId.size;
    let best: SpanRecord | undefined;
    let bestRank = 0;
    for (const candidate of byId.values()) {
      if (candidate === orphan) continue;
      const rank = linkRank(orphan, candidate);
      if (rank === 0 || rank < bestRank) continue;
      if (rank > bestRank || better(rank, orphan, candidate, best as SpanRecord)) {
        best = candidate;
        bestRank = rank;
      }
    }
    if (best !== undefined && !descendsFrom(best, orphan, byId, parentOf)) reconnected.set(orphan.span_id, best.span_id);
  }
  return reconnected;
}

/** Whether `span` lies below `ancestor` (following `parentOf`); a walk of at most the trace's size. */
function descendsFrom(
  span: SpanRecord,
  ancestor: SpanRecord,
  byId: ReadonlyMap<string, SpanRecord>,
  parentOf: (span: SpanRecord) => string,
): boolean {
  let current: SpanRecord | undefined = span;
  for (let steps = 0; current !== undefined && steps <= byId.size; steps++) {
    if (current === ancestor) return true;
    const parentId = parentOf(current);
    current = parentId === '' ? undefined : byId.get(parentId);
  }
  return false;
}
