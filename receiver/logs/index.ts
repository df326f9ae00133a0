// Log record validation and counting (conversion comes in a later issue).
export { decodeLogsRequest, type LogsDecodeResult } from './decode-logs.js';
export { LogRecordViewFast, LogResourceViewFast, scanLogsRequest, type LogsScanVisitor } from './logs-scanner.js';
