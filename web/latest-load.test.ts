import { describe, expect, it } from 'vitest';
import { latestOnly } from './latest-load.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('latestOnly', () => {
  it('applies only the newest read, whichever answers last', async () => {
    const reads = latestOnly();
    const shown: string[] = [];
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = reads.run(() => slow.promise, (value) => shown.push(value), () => shown.push('error'));
    const second = reads.run(() => fast.promise, (value) => shown.push(value), () => shown.push('error'));
    fast.resolve('after the action');
    await second;
    slow.resolve('before the action');
    await first;
    expect(shown).toEqual(['after the action']);
  });

  it('reports the newest read failing, and nothing once closed', async () => {
    const reads = latestOnly();
    const shown: string[] = [];
    await reads.run(() => Promise.reject(new Error('gone')), () => shown.push('value'), (error) => shown.push((error as Error).message));
    const late = deferred<string>();
    const pending = reads.run(() => late.promise, (value) => shown.push(value), () => shown.push('error'));
    reads.close();
    late.resolve('too late');
    await pending;
    expect(shown).toEqual(['gone']);
  });
});
