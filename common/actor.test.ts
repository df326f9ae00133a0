import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveActor } from './actor.js';

describe('resolveActor', () => {
  it('prefers the explicit name, then $FIREWATCH_USER, then the login name', () => {
    expect(resolveActor(' alice ', { FIREWATCH_USER: 'bob' })).toBe('alice');
    expect(resolveActor(undefined, { FIREWATCH_USER: 'bob' })).toBe('bob');
    expect(resolveActor('  ', { FIREWATCH_USER: ' bob ' })).toBe('bob');
    expect(resolveActor(undefined, {})).toBe(userInfo().username || 'unknown');
  });
});
