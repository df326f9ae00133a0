// The log record attributes the converter reads, matched on the wire by their key bytes (wire/key-table.ts), so a
// record's attributes are looked at without decoding a string. Semantic-convention names:
// https://opentelemetry.io/docs/specs/semconv/ (exceptions, events, enduser, user, session), and pino's `err`.

import { KeyTable } from '../wire/key-table.js';

export const LOG_KEY_EVENT_TYPE = 0;
export const LOG_KEY_SEVERITY = 1;
export const LOG_KEY_EVENT_NAME = 2;
export const LOG_KEY_EXCEPTION_TYPE = 3;
export const LOG_KEY_EXCEPTION_MESSAGE = 4;
export const LOG_KEY_ENDUSER_ID = 5;
export const LOG_KEY_USER_ID = 6;
export const LOG_KEY_SESSION_ID = 7;
/** pino's standard error serialized as JSON text (pino-opentelemetry-transport): serialized-error.ts. */
export const LOG_KEY_ERR = 8;

/** Attribute names by key id (the index is the id above). */
export const LOG_KEY_NAMES: readonly string[] = [
  'firewatch.event_type',
  'firewatch.severity',
  'event.name',
  'exception.type',
  'exception.message',
  'enduser.id',
  'user.id',
  'session.id',
  'err',
];

export const LOG_KEY_COUNT = LOG_KEY_NAMES.length;

export const LOG_KEYS = new KeyTable(LOG_KEY_NAMES);
