import { describe, expect, it } from 'vitest';
import { MessageBufferPool } from './message-buffer-pool.js';

describe('MessageBufferPool', () => {
  it('hands a released slab to the next message of its size class, and takes back only what it lent, once', () => {
    const pool = new MessageBufferPool(1024 * 1024);
    const first = pool.acquire(20_000);
    expect(first.length).toBe(20_000);
    pool.release(first);
    pool.release(first); // twice: ignored
    expect(pool.pooledBytes).toBe(32 * 1024);
    const second = pool.acquire(30_000);
    expect(second.buffer).toBe(first.buffer);
    const third = pool.acquire(30_000);
    expect(third.buffer).not.toBe(second.buffer); // the slab is lent once at a time
    pool.release(Buffer.allocUnsafe(32 * 1024)); // not the pool's
    expect(pool.pooledBytes).toBe(0);
  });

  it('keeps at most its bound of free slabs, and never pools messages above its largest class', () => {
    const pool = new MessageBufferPool(64 * 1024);
    const lent = [pool.acquire(40_000), pool.acquire(40_000), pool.acquire(40_000)];
    for (const buffer of lent) pool.release(buffer);
    expect(pool.pooledBytes).toBe(64 * 1024);
    const huge = pool.acquire(20 * 1024 * 1024);
    expect(huge.length).toBe(20 * 1024 * 1024);
    pool.release(huge);
    expect(pool.pooledBytes).toBe(64 * 1024);
  });
});
