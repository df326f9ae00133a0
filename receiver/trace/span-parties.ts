// Who a span involves besides its own service: the user it served. One reading for the event (span-converter.ts)
// and the span record (span-record.ts), so an incident's users_affected counts the same identity either way.

import { KEY_ENDUSER_ID, KEY_SESSION_ID, KEY_USER_ID } from './span-attribute-keys.js';
import type { SpanViewFast } from './span-view.js';

/** The attributes naming a user, in the order engine/users.ts eventUser reads them from an event's metadata. */
export const USER_KEYS: readonly (readonly [id: number, name: string])[] = [
  [KEY_ENDUSER_ID, 'enduser.id'],
  [KEY_USER_ID, 'user.id'],
  [KEY_SESSION_ID, 'session.id'],
];

/** `enduser.id`, else `user.id`, else `session.id` of the span (at most `maxChars`); null when it has none. */
export function spanUser(span: SpanViewFast, maxChars: number): string | null {
  for (const [id] of USER_KEYS) {
    const user = span.string(id, maxChars);
    if (user !== null) return user;
  }
  return null;
}
