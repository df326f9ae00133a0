// Who may do what through a control door. The unix socket is the local door (mode 0600: whoever can open it is the
// daemon's own user, trusted to say who they are). A TCP door takes bearer tokens, each with a name and a role:
// `viewer` reads and watches, `operator` also acts; what a token's bearer does is recorded under the token's name.
//
// Tokens are compared in constant time (common/bearer-tokens.ts) and never logged, echoed or put in an error.

import { bearerToken, TokenTable as BearerTable } from '../common/bearer-tokens.js';

export { bearerToken } from '../common/bearer-tokens.js';
import type { Role } from '../api/vocabulary.js';
import { ControlError } from '../api/errors.js';

export interface ControlToken {
  /** Recorded as the actor of what the bearer does. */
  name: string;
  role: Role;
  secret: string;
}

export interface Principal {
  name: string;
  role: Role;
}

/** Calls a viewer may make: reads and the watch. TestRule counts as a read only when it feeds nothing to the engine. */
const VIEWER_CALLS: ReadonlySet<string> = new Set([
  'GetStatus',
  'ListIncidents',
  'GetIncident',
  'GetTrace',
  'ListRules',
  'GetRule',
  'ListActions',
  'GetTimeline',
  'GetPostmortem',
  'GetStats',
  'ListComponents',
  'WatchIncidents',
  'ListSilences',
  'ListNotifications',
]);

export function mayCall(role: Role, call: string, request: { dry_run?: unknown }): boolean {
  if (role === 'operator') return true;
  if (call === 'TestRule') return request.dry_run === true;
  return VIEWER_CALLS.has(call);
}

/** The tokens of a door: secrets standing for named principals with a role. */
export class TokenTable extends BearerTable<Principal> {
  constructor(tokens: readonly ControlToken[]) {
    super();
    this.replace(tokens);
  }

  override replace(tokens: ReadonlyArray<ControlToken | { secret: string; principal: Principal }>): void {
    super.replace(tokens.map((token) => ('principal' in token ? token : { secret: token.secret, principal: { name: token.name, role: token.role } })));
  }
}

/** The principal behind an authorization header, or the refusal to answer with (never naming the token). */
export function authenticate(table: TokenTable, header: unknown): Principal {
  const token = bearerToken(header);
  const principal = token === undefined ? undefined : table.match(token);
  if (principal === undefined) {
    throw new ControlError(token === undefined ? 'unauthenticated: a bearer token is required' : 'unauthenticated: the token is not valid', 'unauthenticated');
  }
  return principal;
}

/** Throws `forbidden` unless the principal's role allows the call. */
export function authorize(principal: Principal, call: string, request: { dry_run?: unknown }): void {
  if (!mayCall(principal.role, call, request)) {
    throw new ControlError(`forbidden: ${principal.name} is a ${principal.role} and may not ${describeCall(call)}`, 'forbidden');
  }
}

function describeCall(call: string): string {
  return call
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^set rules enabled$/, 'enable or disable rules');
}
