import { describe, expect, it } from 'vitest';

import { findRootSpan } from './root-cause.js';
import { MAX_RECONNECT_CHECKS, peerNames, reconnectOrphans } from './span-parents.js';
import { T0, span, spanId } from '../test/helpers/engine-fixtures.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_SERVER } from './types.js';
import type { SpanRecord } from './types.js';

/** OTLP SpanKind INTERNAL. */
const SPAN_KIND_INTERNAL = 1;

const byId = (spans: SpanRecord[]) => new Map(spans.map((s) => [s.span_id, s]));

/** gateway SERVER → (handler) → gateway CLIENT → (proxy) → ledger SERVER → ledger INTERNAL: the whole request. */
function transfer(peer: string): Record<'server' | 'handler' | 'client' | 'proxy' | 'ledger' | 'lock', SpanRecord> {
  return {
    server: span({ span_id: spanId(1), service: 'gateway', kind: SPAN_KIND_SERVER, start_ms: T0, end_ms: T0 + 100, failed: true }),
    handler: span({ span_id: spanId(2), parent_span_id: spanId(1), service: 'gateway', kind: SPAN_KIND_INTERNAL, start_ms: T0 + 1, end_ms: T0 + 99 }),
    client: span({ span_id: spanId(3), parent_span_id: spanId(2), service: 'gateway', kind: SPAN_KIND_CLIENT, peer, start_ms: T0 + 2, end_ms: T0 + 98, failed: true }),
    proxy: span({ span_id: spanId(4), parent_span_id: spanId(3), service: 'envoy', kind: SPAN_KIND_SERVER, start_ms: T0 + 3, end_ms: T0 + 97 }),
    ledger: span({ span_id: spanId(5), parent_span_id: spanId(4), service: 'ledger', kind: SPAN_KIND_SERVER, start_ms: T0 + 4, end_ms: T0 + 96, failed: true }),
    lock: span({
      span_id: spanId(6),
      parent_span_id: spanId(5),
      service: 'ledger',
      kind: SPAN_KIND_INTERNAL,
      start_ms: T0 + 5,
      end_ms: T0 + 95,
      failed: true,
      status_message: 'lock wait timeout exceeded',
      exception_type: 'LedgerLockTimeout',
    }),
  };
}

describe('reconnectOrphans', () => {
  it('leaves a whole trace alone', () => {
    const t = transfer('ledger');
    expect(reconnectOrphans(byId(Object.values(t))).size).toBe(0);
  });

  it('hangs a callee cut off by an unexported proxy under the call naming it (peer.service or server.address)', () => {
    for (const peer of ['ledger', 'ledger:8080', 'ledger.payments.svc.cluster.local:8080', 'LEDGER']) {
      const { server, handler, client, ledger, lock } = transfer(peer);
      expect(reconnectOrphans(byId([server, handler, client, ledger, lock])), peer).toEqual(new Map([[ledger.span_id, client.span_id]]));
    }
  });

  it('hangs a span whose local parent was dropped under the tightest span of its own service around it', () => {
    const { server, client, proxy, ledger, lock } = transfer('ledger');
    expect(reconnectOrphans(byId([server, client, proxy, ledger, lock])).get(client.span_id)).toBe(server.span_id);
  });

  it('takes a naming call that does not contain the callee (its clock runs ahead), the nearest in start time', () => {
    const { server, handler, client, lock } = transfer('ledger');
    const ahead = { ...transfer('ledger').ledger, start_ms: T0 + 400, end_ms: T0 + 420 };
    const later = { ...client, span_id: spanId(9), start_ms: T0 + 300, end_ms: T0 + 310 };
    expect(reconnectOrphans(byId([server, handler, client, later, ahead, lock])).get(ahead.span_id)).toBe(later.span_id);
  });

  it('falls back on a call that contains the callee (it named a proxy), then on the tightest span of another service around it', () => {
    const { server, handler, client, ledger, lock } = transfer('10.1.4.20:15001');
    expect(reconnectOrphans(byId([server, handler, client, ledger, lock])).get(ledger.span_id)).toBe(client.span_id);
    expect(reconnectOrphans(byId([server, handler, ledger, lock])).get(ledger.span_id)).toBe(handler.span_id);
  });

  it('does not link a callee under a call naming another service, nor across a cycle, nor outside its time', () => {
    const { server, handler, ledger, lock } = transfer('ledger');
    const elsewhere = span({ span_id: spanId(8), parent_span_id: spanId(2), service: 'gateway', kind: SPAN_KIND_CLIENT, peer: 'billing', start_ms: T0 + 200, end_ms: T0 + 210 });
    const outside = { ...ledger, start_ms: T0 + 500, end_ms: T0 + 520 };
    expect(reconnectOrphans(byId([server, handler, elsewhere, outside, lock])).has(outside.span_id)).toBe(false);
    // two spans naming each other's missing parents: the second link would close a loop
    const a = span({ span_id: spanId(20), parent_span_id: spanId(99), service: 'a', kind: SPAN_KIND_CLIENT, peer: 'b', start_ms: T0, end_ms: T0 + 10 });
    const b = span({ span_id: spanId(21), parent_span_id: spanId(98), service: 'b', kind: SPAN_KIND_SERVER, start_ms: T0, end_ms: T0 + 10 });
    const bCalls = span({ span_id: spanId(22), parent_span_id: spanId(21), service: 'b', kind: SPAN_KIND_CLIENT, peer: 'a', start_ms: T0 + 1, end_ms: T0 + 9 });
    const aAgain = { ...a, kind: SPAN_KIND_SERVER };
    // a goes under b's call naming it; b would go under a (around it in time), which now lies below b: not linked
    expect(reconnectOrphans(byId([aAgain, b, bCalls]))).toEqual(new Map([[aAgain.span_id, bCalls.span_id]]));
  });

  it('stops after its budget of comparisons: a trace of cut spans costs at most MAX_RECONNECT_CHECKS', () => {
    const count = 1000;
    const spans = Array.from({ length: count }, (_, i) =>
      span({ span_id: spanId(i + 1), parent_span_id: spanId(100_000 + i), service: 'svc', kind: SPAN_KIND_INTERNAL, start_ms: T0 + i, end_ms: T0 + 2 * count - i }),
    );
    const links = reconnectOrphans(byId(spans));
    expect(links.size).toBeLessThanOrEqual(Math.floor(MAX_RECONNECT_CHECKS / count));
    expect(links.size).toBeGreaterThan(0);
  });
});

describe('peerNames', () => {
  it.each([
    ['ledger', 'ledger', true],
    ['ledger:8080', 'ledger', true],
    ['ledger.payments.svc.cluster.local:8080', 'ledger', true],
    ['[::1]:8080', '::1', true],
    ['ledgers:8080', 'ledger', false],
    ['my-ledger', 'ledger', false],
    ['', 'ledger', false],
  ] as const)('%s names %s: %s', (peer, service, names) => {
    expect(peerNames(peer, service)).toBe(names);
  });
});

describe('root span of sampled and cut traces', () => {
  it('tail sampling dropped the healthy handler: the ledger’s lock span, not the gateway’s empty SERVER span', () => {
    const { server, client, ledger, lock } = transfer('ledger');
    const proxyless = { ...ledger, parent_span_id: client.span_id };
    expect(findRootSpan([[server, client, proxyless, lock]])?.span).toBe(lock);
  });

  it('an unexported proxy: the callee’s span, not the caller’s CLIENT span', () => {
    const { server, handler, client, ledger } = transfer('ledger');
    const withException = { ...ledger, exception_type: 'LedgerLockTimeout', status_message: 'lock wait timeout exceeded' };
    expect(findRootSpan([[server, handler, client, withException]])?.span).toBe(withException);
  });

  it('what cannot be reconnected: the failing span that says why beats the empty one, in a trace and across traces', () => {
    const { server, ledger } = transfer('ledger');
    const explained = { ...ledger, parent_span_id: spanId(77), start_ms: T0 + 300, end_ms: T0 + 320, exception_type: 'LedgerLockTimeout' };
    expect(findRootSpan([[server, explained]])?.span).toBe(explained);
    const emptyBig = transfer('ledger');
    const silent = [emptyBig.server, emptyBig.handler, emptyBig.client, { ...emptyBig.ledger, parent_span_id: emptyBig.client.span_id }];
    expect(findRootSpan([silent, [explained]])?.span).toBe(explained);
  });
});
