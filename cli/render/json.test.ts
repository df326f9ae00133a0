import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN, hostileText } from '../../test/helpers/hostile-text.js';
import { formatJson } from './json.js';

/** JSON values whose keys and strings come from the hostile corpus, as telemetry-derived incidents do. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileText, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('formatJson', () => {
  it('escapes DEL, C1 controls, bidi controls and line separators that JSON.stringify leaves raw', () => {
    expect(formatJson({ 'k\u202e': 'a\u009b2Jb\u007fc\u2066d\u2028e\u061c' }, 0)).toBe(
      '{"k\\u202e":"a\\u009b2Jb\\u007fc\\u2066d\\u2028e\\u061c"}',
    );
    expect(formatJson(['\u001b[31m'], 0)).toBe('["\\u001b[31m"]');
    expect(formatJson({ a: [1, 'café — 東京 ✓ 😀'] })).toBe('{\n  "a": [\n    1,\n    "café — 東京 ✓ 😀"\n  ]\n}');
  });

  it('prints no raw control, whatever the text, and parses back to the same value', () => {
    fc.assert(
      fc.property(hostileJson, fc.constantFrom(0, 2), (value, indent) => {
        // act
        const text = formatJson(value, indent);
        // verify
        expect(text).not.toMatch(FORBIDDEN);
        expect(JSON.parse(text)).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });
});
