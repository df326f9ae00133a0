// Times as the contract writes them and people type them: ISO-8601 UTC out (`isoTime`), and in: strict ISO-8601
// instants (`parseIsoInstant`) and `--since` / `:since` values, an age (`90s`, `30m`, `24h`, `7d`, `2w`) or an
// instant (`parseSince`). Shared by the daemon, the CLI, the terminal UI and the web page's filters.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const UNIT_MS: Readonly<Record<string, number>> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: WEEK };
/** `90s`, `30m`, `24h`, `7d`, `2w`; a decimal amount is allowed (`1.5h`). */
const AGE = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i;
/**
 * An ISO-8601 date or date-time: date, hour, minute, second, fraction, zone. Read by hand rather than by `Date.parse`,
 * which rolls 2025-02-30 over into March and reads a zone-less date-time in the local zone of whichever machine
 * runs it.
 */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;


/** ISO-8601 UTC of epoch ms; null for null or a value that is not a finite time. */
export function isoTime(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Epoch ms of an ISO-8601 date or date-time (UTC when it names no zone); undefined when it is not a real time. */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2) || '0');
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // Date.UTC would map years 0–99 to 1900–1999
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * MINUTE;
}

/** An age or a duration (`90s`, `30m`, `2h`, `7d`, `2w`, case-insensitive, decimals allowed) in ms; undefined otherwise. */
export function parseAgeMs(text: string): number | undefined {
  const age = AGE.exec(text.trim());
  return age === null ? undefined : Number(age[1]) * (UNIT_MS[(age[2] as string).toLowerCase()] as number);
}

/**
 * `--since` text to the start of the window (epoch ms): an age back from `now` (`90s`, `30m`, `24h`, `7d`, `2w`,
 * case-insensitive, decimals allowed) or an ISO-8601 date / date-time (`2025-02-05`, `2025-02-05T10:00:00Z`,
 * `2025-02-05T11:00+01:00`; UTC when it names no zone, so the CLI and the daemon agree wherever they run). Throws
 * RangeError with a one-line message for anything else, for a zero age, and for a time after `now`.
 */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  const ms = parseAgeMs(trimmed);
  if (ms !== undefined) {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      throw new RangeError(`--since needs an age above zero, got ${JSON.stringify(text)}`);
    }
    return now - ms;
  }
  if (ISO_DATE.test(trimmed)) {
    const at = parseIsoInstant(trimmed);
    if (at === undefined) throw new RangeError(`--since: not a real date or time, got ${JSON.stringify(text)}`);
    if (at > now) throw new RangeError(`--since: ${isoTime(at) ?? trimmed} is in the future`);
    return at;
  }
  throw new RangeError(
    `--since needs an age (90s, 30m, 24h, 7d, 2w) or an ISO-8601 date (2025-02-05T10:00:00Z), ` +
      `got ${JSON.stringify(text)}`,
  );
}
