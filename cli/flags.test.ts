import { describe, expect, it } from 'vitest';
import { UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { sinceOf } from './flags.js';
import { parseSince as parseSinceOrThrow } from '../common/time.js';

/** What `--since TEXT` becomes (epoch ms), or undefined when the CLI refuses it with a usage error. */
function parseSince(text: string, now = Date.now()): number | undefined {
  try {
    return parseSinceOrThrow(text, now);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

const NOW = Date.UTC(2025, 1, 5, 12, 0, 0);
const HOUR = 3_600_000;

describe('parseSince (CLI --since)', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['24h', NOW - 24 * HOUR],
    ['7d', NOW - 7 * 24 * HOUR],
    ['2w', NOW - 14 * 24 * HOUR],
    ['1.5h', NOW - 1.5 * HOUR],
    ['2025-02-05', Date.UTC(2025, 1, 5)],
    ['2025-02-05T10:30:00Z', Date.UTC(2025, 1, 5, 10, 30)],
    ['2025-02-05T10:30:00', Date.UTC(2025, 1, 5, 10, 30)], // no zone: UTC wherever the CLI runs, as the daemon reads it
    ['2025-02-05T11:30:00+01:00', Date.UTC(2025, 1, 5, 10, 30)],
  ])('reads %j', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });

  it.each([
    ['whenever'],
    [''],
    ['0h'],
    ['2025-02-30'], // Date.parse would roll this into March
    ['2025-02-05T24:00:00Z'],
    ['Feb 5 2025'], // Date.parse would read this in the local zone
    ['2099-01-01'], // in the future
  ])('gives undefined for %j', (text) => {
    expect(parseSince(text, NOW)).toBeUndefined();
  });

  it('sinceOf turns a refusal into a usage error (exit 2) and an accepted value into ISO', () => {
    const command = { path: ['incidents', 'stats'] } as unknown as CommandSpec;
    const args = (since: string): ParsedArgs => ({ positionals: [], flags: { since } });
    expect(() => sinceOf(args('2025-02-30'), command)).toThrow(UsageError);
    expect(sinceOf(args('2025-02-05T10:30:00Z'), command)).toBe('2025-02-05T10:30:00.000Z');
  });

  it('counts back from the clock when no time is given', () => {
    const before = Date.now();
    const at = parseSince('1h')!;
    expect(at).toBeGreaterThanOrEqual(before - HOUR);
    expect(at).toBeLessThanOrEqual(Date.now() - HOUR);
  });
});
