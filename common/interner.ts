// One copy of each repeated string. Strings decoded from telemetry are fresh copies every time (a service name once
// per export, a route or span name once per span), and whatever keeps them for long — the event ring's 100,000
// events, the trace ring's spans — would hold thousands of copies of the same few names. Only for strings that do
// repeat: one-off values (IDs, messages with numbers in them) cost a table entry each and push the names out.

/**
 * Keeps one copy of each repeated string. Bounded: when full it starts over (strings already handed out keep their
 * copy, the table just forgets them). The last string kept is checked first: items of one resource share their
 * service name. Strings longer than `maxLength` are returned as they are: rarely repeated (URLs
 * with IDs, free-form messages), and not worth a table entry.
 */
export class StringInterner {
  private readonly table = new Map<string, string>();
  private last = '';

  constructor(
    private readonly capacity: number,
    private readonly maxLength: number,
  ) {}

  /** Strings in the table now (at most `capacity`). */
  get size(): number {
    return this.table.size;
  }

  intern(text: string): string {
    // An equal string is not the same copy: the kept one goes back.
    if (text === this.last) return this.last;
    if (text.length === 0 || text.length > this.maxLength) return text;
    let kept = this.table.get(text);
    if (kept === undefined) {
      if (this.table.size >= this.capacity) this.table.clear();
      this.table.set(text, text);
      kept = text;
    }
    this.last = kept;
    return kept;
  }

  clear(): void {
    this.table.clear();
    this.last = '';
  }
}
