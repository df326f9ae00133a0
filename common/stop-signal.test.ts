import { afterEach, describe, expect, it } from 'vitest';
import { listenForStop } from './stop-signal.js';

describe('listenForStop', () => {
  const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
  afterEach(() => {
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
  });

  it('resolves with the first of SIGINT and SIGTERM, then stops listening to both', async () => {
    const stop = listenForStop();
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await stop.requested).toBe('SIGTERM');
    const again = listenForStop();
    process.emit('SIGINT', 'SIGINT');
    expect(await again.requested).toBe('SIGINT');
  });

  it('gives Node its default back when cancelled', () => {
    const stop = listenForStop();
    stop.cancel();
    stop.cancel();
  });
});
