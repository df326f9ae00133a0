// The page's live feed: the gateway's server-sent events (/api/events), turned into batches of FleetChanges for the
// reducer (view/incidents-state.ts) at most ten times a second, as the terminal UI batches its frames.
//
//   EventSource ──members──▶ onMembers(addresses)
//               ──change (id: every daemon's seq)──▶ buffer ──▶ onChanges(batch): the first change after a quiet spell
//                                                     at once (next task), then at most one batch per 100 ms
//               ──error──▶ onLink('lost'); the browser reconnects by itself (sending Last-Event-ID), or, when it gave
//                          up (the server answered an error), we open a new stream after a backoff, naming the last id
//                          in the query: either way the gateway sends what the page missed, or a snapshot.

import type { FleetChange } from '../api/session.js';

export type LinkState = 'connecting' | 'open' | 'lost';

export interface LiveStreamHandlers {
  onMembers(addresses: string[]): void;
  onChanges(changes: FleetChange[]): void;
  onLink(state: LinkState): void;
  /** The stream was refused (not logged in any more): the page asks again. */
  onUnauthorized?(): void;
}

const BATCH_MS = 100;
const MAX_RETRY_MS = 10_000;

/** Opens the stream; returns how to close it. */
export function openLiveStream(handlers: LiveStreamHandlers): () => void {
  let source: EventSource | undefined;
  let lastEventId = '';
  let buffer: FleetChange[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let closed = false;

  let lastFlush = Number.NEGATIVE_INFINITY;
  const flush = () => {
    flushTimer = undefined;
    if (buffer.length === 0) return;
    lastFlush = performance.now();
    const batch = buffer;
    buffer = [];
    handlers.onChanges(batch);
  };
  /** A lone change shows at once; a burst is drawn at most ten times a second (as the terminal UI draws). */
  const scheduleFlush = () => {
    if (flushTimer !== undefined) return;
    flushTimer = setTimeout(flush, Math.max(0, lastFlush + BATCH_MS - performance.now()));
  };

  const open = () => {
    if (closed) return;
    handlers.onLink('connecting');
    const url = lastEventId === '' ? '/api/events' : `/api/events?last_event_id=${encodeURIComponent(lastEventId)}`;
    const current = new EventSource(url);
    source = current;
    current.addEventListener('open', () => {
      attempt = 0;
      handlers.onLink('open');
    });
    current.addEventListener('members', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { members: Array<{ member: number; address: string }> };
      handlers.onMembers(data.members.map((member) => member.address));
    });
    current.addEventListener('change', (event) => {
      const message = event as MessageEvent<string>;
      if (message.lastEventId !== '') lastEventId = message.lastEventId;
      buffer.push(JSON.parse(message.data) as FleetChange);
      scheduleFlush();
    });
    current.addEventListener('error', () => {
      if (closed || source !== current) return;
      handlers.onLink('lost');
      if (current.readyState !== EventSource.CLOSED) return; // the browser retries, sending Last-Event-ID
      current.close();
      attempt++;
      const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(attempt - 1, 5));
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' })
          .then((response) => (response.ok ? (response.json() as Promise<{ authenticated?: boolean }>) : undefined))
          .then((session) => {
            if (session !== undefined && session.authenticated === false) handlers.onUnauthorized?.();
            else open();
          })
          .catch(() => open());
      }, delay);
    });
  };

  open();
  return () => {
    closed = true;
    source?.close();
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
  };
}
