// What the daemon, the control API and the CLI may use from respond/.

export { builtinActions, DEFAULT_RECOMMENDATIONS, manualSteps } from './catalog.js';
export { createDefaultRemediationConfig, parseRemediationConfig, type ApproversConfig, type RemediationConfig } from './config.js';
export { runCommand, type CommandRequest, type CommandResult, type RunCommand } from './command-runner.js';
export { runHttp, type HttpRequest, type HttpResult, type RunHttp } from './http-runner.js';
export type { ActionStatusKind, RefusalCode } from './policy.js';
export {
  createResponder,
  RemediationRefused,
  Responder,
  type ActionView,
  type ContainOutcome,
  type MitigateOptions,
  type MitigateOutcome,
  type MitigateStatus,
  type RemediationLog,
  type ResponderOptions,
} from './responder.js';
export type { ActionDefinition, ApprovalRequest, HttpEffect } from './types.js';
