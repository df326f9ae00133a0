// What one export request may cost, whatever its signal: past the bound the excess is rejected through OTLP
// partial_success (the rest of the request is accepted), so one huge request cannot take the daemon's memory or
// hold up every other export while it is detected and written.

export interface DecodeLimits {
  /** Items that would become events past this many in one request are rejected. Default: no bound. */
  maxEvents?: number;
}

/** Why items past DecodeLimits.maxEvents were rejected, for partial_success's error_message. */
export function tooManyEventsReason(maxEvents: number): string {
  return `more than ${maxEvents} events in one export (max_events_per_export): the rest were rejected; send smaller batches`;
}
