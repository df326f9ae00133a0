// Log record decoding and log → event conversion: what the rest of firewatch may use.
export { decodeLogsRequest, type LogsDecodeResult } from './decode-logs.js';
export {
  createLogConverter,
  effectiveSeverityNumber,
  LOG_FLAG_CUSTOM_TYPE,
  LOG_FLAG_EVENT,
  type LogConverter,
} from './log-converter.js';
export {
  createDefaultLogConverterOptions,
  createLogConverterOptions,
  parseMinSeverityNumber,
  SEVERITY_NUMBER_ERROR,
  SEVERITY_NUMBER_FATAL,
  type LogConverterOptions,
  type LogConverterOptionsInput,
  type LogEventSeverities,
} from './log-converter-options.js';
export { LogRecordViewFast, LogResourceViewFast, scanLogsRequest, type LogsScanVisitor } from './logs-scanner.js';
