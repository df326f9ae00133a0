import { describe, expect, it } from 'vitest';
import { ReceiverOptionError } from '../option-checks.js';
import {
  createDefaultLogConverterOptions,
  createLogConverterOptions,
  type LogConverterOptionsInput,
  parseMinSeverityNumber,
} from './log-converter-options.js';

describe('log converter options', () => {
  it('defaults to ERROR (17), firewatch attributes honoured, event type error', () => {
    expect(createLogConverterOptions()).toEqual(createDefaultLogConverterOptions());
    expect(createDefaultLogConverterOptions()).toEqual({
      minSeverityNumber: 17,
      honourFirewatchAttributes: true,
      defaultEventType: 'error',
      severities: { fatal: 'critical', error: 'high', other: 'medium' },
    });
  });

  it('merges overrides, severities in any case', () => {
    expect(createLogConverterOptions({ minSeverityNumber: 13, severities: { error: 'CRITICAL' } })).toMatchObject({
      minSeverityNumber: 13,
      severities: { fatal: 'critical', error: 'critical', other: 'medium' },
    });
  });

  it.each([
    [{ minSeverityNumber: 0 }, 'grpc.logConverter.minSeverityNumber: must be a whole number from 1 to 24 (17 = ERROR, 21 = FATAL), got 0'],
    [{ minSeverityNumber: 17.5 }, 'grpc.logConverter.minSeverityNumber: must be a whole number from 1 to 24 (17 = ERROR, 21 = FATAL), got 17.5'],
    [{ minSeverityNumber: 'ERROR' }, 'grpc.logConverter.minSeverityNumber: must be a whole number from 1 to 24 (17 = ERROR, 21 = FATAL), got "ERROR"'],
    [{ severities: { fatal: 'doom' } }, 'grpc.logConverter.severities.fatal: must be one of info, low, medium, high, critical, got "doom"'],
    [{ severities: { warn: 'low' } }, 'grpc.logConverter.severities.warn: unknown option'],
    [{ defaultEventType: '' }, 'grpc.logConverter.defaultEventType: must be a non-empty string of at most 64 characters, got ""'],
    [{ honourFirewatchAttributes: 'yes' }, 'grpc.logConverter.honourFirewatchAttributes: must be true or false'],
    [{ minSeverity: 17 }, 'grpc.logConverter.minSeverity: unknown option'],
  ])('refuses %o naming the key', (input, message) => {
    expect(() => createLogConverterOptions(input as LogConverterOptionsInput, 'grpc.logConverter')).toThrow(message);
  });

  it('parseMinSeverityNumber names exactly the path it is given, with path and detail apart', () => {
    expect(parseMinSeverityNumber(21, 'x')).toBe(21);
    try {
      parseMinSeverityNumber(25, 'processors.convert.logs.min_severity_number');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReceiverOptionError);
      const optionError = error as ReceiverOptionError;
      expect(optionError.path).toBe('processors.convert.logs.min_severity_number');
      expect(optionError.detail).toBe('must be a whole number from 1 to 24 (17 = ERROR, 21 = FATAL), got 25');
      expect(optionError.message).toBe(`${optionError.path}: ${optionError.detail}`);
    }
  });
});
