// Trace decoding and span → event conversion: what the rest of firewatch may use.
export { decodeTraceRequest, type ServiceSpanCounts, type TraceDecodeHooks, type TraceDecodeResult } from './decode-traces.js';
export {
  createSpanConverter,
  MAX_MESSAGE_LENGTH,
  MAX_METADATA_KEYS,
  MAX_METADATA_VALUE_LENGTH,
  SPAN_FLAG_CUSTOM_TYPE,
  SPAN_FLAG_FAILED,
  SPAN_RULE_API_ERROR,
  SPAN_RULE_DATABASE_ERROR,
  SPAN_RULE_ERROR,
  SPAN_RULE_MASK,
  SPAN_RULE_NONE,
  SPAN_RULE_SERVICE_UNAVAILABLE,
  SPAN_RULE_SLOW_REQUEST,
  type SpanConverter,
} from './span-converter.js';
export {
  createDefaultSpanConverterOptions,
  createSpanConverterOptions,
  validateSpanConverterOptions,
  type SpanConverterOptions,
  type SpanConverterOptionsInput,
  type SpanEventSeverities,
  type SpanEventTypes,
} from './span-converter-options.js';
export { MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_VALUE_CHARS, MAX_ATTRIBUTES_SHOWN, readKeptAttributes, type KeptAttribute } from './span-attributes.js';
export { ResourceViewFast, SpanViewFast } from './span-view.js';
export { scanTraceRequest, type TraceScanVisitor } from './trace-scanner.js';
