// An open incident's trace IDs as the store writes them: one buffer of 16-byte binary IDs, made incrementally.
//
//   commit ─▶ pack(incident_id, trace_ids) ─▶ same list as last time?      the buffer already made
//                                             last time's list + new IDs?  only the new IDs hex-decoded, appended
//                                             anything else?               packed anew
//
// Why: an incident is rewritten on every commit it changed in, and a busy error_burst holds its 1,000 trace IDs
// (the engine's cap) for the rest of its life. Joining and hex-decoding all of them again was ~7 % of the main
// thread at small group commits (`node dist/bench/pipeline.bench.js --in-flight 4`, CPU profile: toStored), and
// the list had not changed since the previous commit. Checking that it did not is one reference comparison per ID
// (the engine appends the same string objects), against 32 characters decoded per ID.
//
// A buffer handed out is never written again (appends go past its end, or into a new buffer), so a writer that
// still holds a view of it reads what it was given. Bounded: at most MAX_REMEMBERED incidents are remembered; an
// incident is forgotten when it closes (packLast).

const TRACE_ID_CHARS = 32;
const TRACE_ID_BYTES = 16;
/** Incidents whose packed IDs are kept (open incidents rewritten under load are few; others just pack anew): at most
 * ~3 MiB with 1,000 IDs each (16 KiB of IDs, up to twice that of buffer, and the list). */
const MAX_REMEMBERED = 64;

interface PackedIds {
  /** The IDs packed (a copy of the list as it was). */
  ids: string[];
  /** ids.length × 16 bytes in use; room after them for appends. */
  bytes: Buffer;
}

export class TraceIdPacker {
  private readonly remembered = new Map<string, PackedIds>();

  /**
   * `ids` as 16-byte binary IDs (a view valid for as long as the caller likes), or undefined when one of them is not
   * 32 hex characters (those are stored as text).
   */
  pack(incidentId: string, ids: readonly string[]): Buffer | undefined {
    const known = this.remembered.get(incidentId);
    const kept = known === undefined ? 0 : samePrefix(known.ids, ids);
    if (known !== undefined && kept === known.ids.length) {
      if (kept === ids.length) return known.bytes.subarray(0, kept * TRACE_ID_BYTES);
      return this.append(incidentId, known, ids);
    }
    return this.packAnew(incidentId, ids);
  }

  /**
   * As pack, for an incident's write after which it is rarely written again (it closed): what is remembered of it is
   * used and forgotten, and nothing is remembered in its place, so it never displaces an open incident.
   */
  packLast(incidentId: string, ids: readonly string[]): Buffer | undefined {
    if (!this.remembered.has(incidentId)) return packOnce(ids);
    const packed = this.pack(incidentId, ids);
    this.remembered.delete(incidentId);
    return packed;
  }

  /** Incidents remembered (for tests). */
  get size(): number {
    return this.remembered.size;
  }

  private append(incidentId: string, known: PackedIds, ids: readonly string[]): Buffer | undefined {
    const from = known.ids.length;
    const needed = ids.length * TRACE_ID_BYTES;
    let bytes = known.bytes;
    if (bytes.length < needed) {
      // A new buffer: the old one's bytes may still be read through views handed out.
      bytes = Buffer.allocUnsafe(Math.max(needed, bytes.length * 2));
      known.bytes.copy(bytes, 0, 0, from * TRACE_ID_BYTES);
    }
    if (!decodeInto(bytes, ids, from)) {
      this.remembered.delete(incidentId);
      return undefined;
    }
    known.bytes = bytes;
    for (let i = from; i < ids.length; i++) known.ids.push(ids[i] as string);
    return bytes.subarray(0, needed);
  }

  private packAnew(incidentId: string, ids: readonly string[]): Buffer | undefined {
    this.remembered.delete(incidentId);
    const bytes = packOnce(ids);
    if (bytes === undefined) return undefined;
    if (this.remembered.size >= MAX_REMEMBERED) {
      // The oldest remembered (Map order): a forgotten incident only costs a full pack at its next write.
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
    this.remembered.set(incidentId, { ids: ids.slice(), bytes });
    return bytes;
  }
}

/** `ids` packed into a new buffer, remembering nothing. */
function packOnce(ids: readonly string[]): Buffer | undefined {
  const bytes = Buffer.allocUnsafe(ids.length * TRACE_ID_BYTES);
  return decodeInto(bytes, ids, 0) ? bytes : undefined;
}

/** How many leading IDs `known` and `ids` share (the whole of `known` when `ids` extends it). */
function samePrefix(known: readonly string[], ids: readonly string[]): number {
  const n = Math.min(known.length, ids.length);
  for (let i = 0; i < n; i++) if (known[i] !== ids[i]) return i;
  return n;
}

/** Hex-decodes ids[from…] into `bytes` at from × 16; false when one is not 32 hex characters. */
function decodeInto(bytes: Buffer, ids: readonly string[], from: number): boolean {
  for (let i = from; i < ids.length; i++) {
    const id = ids[i] as string;
    // Hex decoding stops at the first character that is not hex: a short count means an ID that is not one.
    if (id.length !== TRACE_ID_CHARS || bytes.write(id, i * TRACE_ID_BYTES, TRACE_ID_BYTES, 'hex') !== TRACE_ID_BYTES) return false;
  }
  return true;
}
