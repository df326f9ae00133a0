// pino's standard `err`, as pino-opentelemetry-transport ships it: one log attribute `err` whose value is the JSON
// text of pino-std-serializers' error object, `{"type":"CardDeclinedError","message":"…","stack":"…", …own props}`
// (`type` is the constructor's name; some serializers write `name` instead).
//
// The text is untrusted: it is read only when it is at most MAX_SERIALIZED_ERROR_CHARS long (JSON.parse then costs
// at most that, and V8's parser does not recurse, so nesting cannot exhaust the stack), only a plain object's own
// string members are used, and each is cut to MAX_SERIALIZED_ERROR_FIELD_CHARS.

/** Longest `err` text parsed (a long stack with causes fits; beyond it the record keeps its other facts). */
export const MAX_SERIALIZED_ERROR_CHARS = 32 * 1024;
/** Longest type, message or stack taken from it. */
export const MAX_SERIALIZED_ERROR_FIELD_CHARS = 4 * 1024;

export interface SerializedError {
  /** `type`, else `name`; null when neither is a non-empty string. */
  type: string | null;
  message: string | null;
  stack: string | null;
}

/** The error in `text`, or null when it is not a JSON object (or too long to read). */
export function parseSerializedError(text: string): SerializedError | null {
  if (text.length > MAX_SERIALIZED_ERROR_CHARS) return null;
  // Cheap refusals before parsing: an object's text starts with `{` after optional whitespace.
  const first = text.search(/\S/);
  if (first === -1 || text.charCodeAt(first) !== 0x7b) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  return {
    type: member(fields, 'type') ?? member(fields, 'name'),
    message: member(fields, 'message'),
    stack: member(fields, 'stack'),
  };
}

/** An own, non-empty string member, bounded. (JSON.parse makes `__proto__` an own key, never the prototype.) */
function member(fields: Record<string, unknown>, key: string): string | null {
  if (!Object.hasOwn(fields, key)) return null;
  const value = fields[key];
  if (typeof value !== 'string' || value === '') return null;
  return value.length > MAX_SERIALIZED_ERROR_FIELD_CHARS ? value.slice(0, MAX_SERIALIZED_ERROR_FIELD_CHARS) : value;
}
