import { describe, expect, it } from 'vitest';
import {
  createDefaultSpanConverterOptions,
  createSpanConverterOptions,
  type SpanConverterOptionsInput,
} from './span-converter-options.js';

describe('createSpanConverterOptions', () => {
  it('defaults to DESIGN.md’s conversion table', () => {
    const options = createSpanConverterOptions();
    expect(options).toEqual(createDefaultSpanConverterOptions());
    expect(options.slowSpanThresholdMs).toBe(1000);
    expect(options.eventTypes.serviceUnavailable).toBe('service_unavailable');
    expect(options.severities.databaseError).toBe('critical');
  });

  it('merges nested overrides key by key and accepts severities in any case', () => {
    const options = createSpanConverterOptions({ slowSpanThresholdMs: 250, severities: { slowRequest: 'LOW' } });
    expect(options.slowSpanThresholdMs).toBe(250);
    expect(options.severities.slowRequest).toBe('low');
    expect(options.severities.error).toBe('high');
  });

  it.each([
    [{ slowSpanThresholdMs: -1 }, /^spans\.slowSpanThresholdMs: /],
    [{ slowSpanThresholdMs: Number.NaN }, /^spans\.slowSpanThresholdMs: /],
    [{ httpServerErrorStatus: 99 }, /^spans\.httpServerErrorStatus: /],
    [{ eventTypes: { error: '' } }, /^spans\.eventTypes\.error: /],
    [{ severities: { error: 'urgent' } }, /^spans\.severities\.error: /],
    [{ slowThreshold: 5 }, /^spans\.slowThreshold: unknown option/],
    [{ eventTypes: { crash: 'x' } }, /^spans\.eventTypes\.crash: unknown option/],
  ])('refuses %o naming the key', (input, message) => {
    expect(() => createSpanConverterOptions(input as SpanConverterOptionsInput)).toThrow(message);
  });

  it('names keys under the caller’s path', () => {
    expect(() => createSpanConverterOptions({ slowSpanThresholdMs: -5 }, 'processors.convert')).toThrow(
      /^processors\.convert\.slowSpanThresholdMs/,
    );
  });
});
