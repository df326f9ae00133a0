import { describe, expect, it } from 'vitest';
import { AdmissionTicket, ExportAdmission, type AdmissionLimits } from './admission.js';
import { BackpressureError } from './consumer.js';

const LIMITS: AdmissionLimits = { maxBytesInFlight: 1000, maxItemsInFlight: 100, maxStoreBacklog: 10, retryAfterMs: 1500 };

function admitted(result: AdmissionTicket | BackpressureError): AdmissionTicket {
  if (result instanceof BackpressureError) throw new Error(`refused: ${result.message}`);
  return result;
}

/** Time passing while saturated, as the limit sees it when exports keep arriving (a head check takes nothing). */
function saturateFor(admission: ExportAdmission, clock: { now: number }, ms: number): void {
  const end = clock.now + ms;
  for (; clock.now < end; clock.now += 100) admission.refusalAtHead('probe:0');
}

const FLOOD_EXPORT_BYTES = 50_000;

/**
 * Offers 200 exports a second (10 MB/s) from 4 connections for `ms` of the fake clock, handing each one admitted to
 * `admitted`; returns the bytes admitted per second.
 */
function offerFlood(admission: ExportAdmission, clock: { now: number }, ms: number, admitted: (ticket: AdmissionTicket, i: number) => void): number {
  let bytes = 0;
  const end = clock.now + ms;
  for (let i = 0; clock.now < end; i++, clock.now += 5) {
    const ticket = admission.admit(`flood:${i % 4}`, FLOOD_EXPORT_BYTES);
    if (ticket instanceof BackpressureError) continue;
    bytes += FLOOD_EXPORT_BYTES;
    admitted(ticket, i);
  }
  return (bytes * 1000) / ms;
}

describe('ExportAdmission', () => {
  it('admits within the budgets, refuses past them with a retry hint, and admits again once released', () => {
    const admission = new ExportAdmission(LIMITS);
    const first = admitted(admission.admit('a:1', 600));
    // A busy connection may use three quarters of the bytes: 600 + 200 = 800 > 750.
    const refused = admission.admit('a:1', 200);
    expect(refused).toBeInstanceOf(BackpressureError);
    expect((refused as BackpressureError).retryAfterMs).toBe(1500);
    expect((refused as BackpressureError).message).toMatch(/over capacity \(too many request bytes in flight\); retry later/);
    first.release();
    first.release(); // twice is harmless
    expect(admission.stats()).toEqual({ exportsInFlight: 0, bytesInFlight: 0, itemsInFlight: 0 });
    admitted(admission.admit('a:1', 200)).release();
  });

  it('admits an export larger than a budget when nothing else is in flight', () => {
    const admission = new ExportAdmission(LIMITS);
    const big = admitted(admission.admit('a:1', 5000));
    expect(big.holdItems(1000)).toBe(true);
    expect(big.room()).toBe(Number.POSITIVE_INFINITY);
    expect(admission.admit('b:1', 1)).toBeInstanceOf(BackpressureError);
    big.release();
  });

  it('keeps a share of each budget for connections with nothing in flight', () => {
    const admission = new ExportAdmission(LIMITS);
    const flood = admitted(admission.admit('flood:1', 100));
    expect(flood.holdItems(80)).toBe(true);
    // The flooding connection is past its 75 items; a quiet connection may still come in.
    expect(admission.admit('flood:1', 10)).toBeInstanceOf(BackpressureError);
    const quiet = admitted(admission.admit('app:2', 10));
    expect(quiet.holdItems(20)).toBe(true);
    expect(quiet.holdItems(1)).toBe(false); // 101 > 100
    quiet.release();
    flood.release();
  });

  it('holds bytes as they are produced, within what is left', () => {
    const admission = new ExportAdmission(LIMITS);
    const other = admitted(admission.admit('a:1', 500));
    const upload = admitted(admission.admit('b:2', 100));
    expect(upload.room()).toBe(400);
    expect(upload.holdBytes(300)).toBe(true);
    expect(upload.holdBytes(200)).toBe(false);
    expect(admission.stats().bytesInFlight).toBe(900);
    upload.release();
    other.release();
    expect(admission.stats().bytesInFlight).toBe(0);
  });

  it('refuses when the store is behind', () => {
    let backlog = 0;
    const admission = new ExportAdmission(LIMITS, () => backlog);
    const first = admitted(admission.admit('a:1', 1));
    backlog = 10;
    expect((admission.admit('b:2', 1) as BackpressureError).message).toMatch(/the store is writing behind/);
    first.release();
  });

  it('while saturated limits the connections that send the most, never light or new ones', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e9 }, () => 0, () => saturated, () => clock.now);
    // A heavy sender (past the 1 MiB/s floor) and a light one.
    for (let i = 0; i < 5; i++) admitted(admission.admit('heavy:1', 400_000)).release();
    admitted(admission.admit('light:2', 10_000)).release();
    saturated = true;
    saturateFor(admission, clock, 600);
    // A tenth of a second's worth at most goes in; the rest is refused.
    const answers = Array.from({ length: 10 }, () => admission.admit('heavy:1', 400_000));
    const refusals = answers.filter((answer): answer is BackpressureError => answer instanceof BackpressureError);
    expect(refusals.length).toBeGreaterThanOrEqual(9);
    expect(refusals[0]!.message).toMatch(/over capacity \(saturated\)/);
    for (const answer of answers) if (answer instanceof AdmissionTicket) answer.release();
    admitted(admission.admit('light:2', 10_000)).release();
    admitted(admission.admit('new:3', 10_000)).release();
  });

  it('while saturated sheds a lone flooding sender too, but not applications exporting at an ordinary pace', () => {
    let saturated = false;
    const clock = { now: 0 };
    const quiet = new ExportAdmission(LIMITS, () => 0, () => saturated, () => clock.now);
    admitted(quiet.admit('app:1', 50_000)).release();
    saturated = true;
    saturateFor(quiet, clock, 600);
    admitted(quiet.admit('app:1', 50_000)).release();
    saturated = false;
    const flooded = new ExportAdmission(LIMITS, () => 0, () => saturated, () => clock.now);
    admitted(flooded.admit('flood:1', 5_000_000)).release();
    saturated = true;
    saturateFor(flooded, clock, 600);
    const answers = Array.from({ length: 10 }, () => flooded.admit('flood:1', 500_000));
    expect(answers.filter((answer) => answer instanceof BackpressureError).length).toBeGreaterThanOrEqual(9);
  });

  it('while saturated lowers the rate it admits until the daemon is not, and lets go once the flood is over', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e9 }, () => 0, () => saturated, () => clock.now);
    const offer = (ms: number): number => offerFlood(admission, clock, ms, (ticket) => ticket.release());
    expect(offer(2000)).toBe(10_000_000); // not saturated: everything
    saturated = true;
    expect(offer(200)).toBe(10_000_000); // a burst of saturation is not a flood
    const first = offer(500);
    const second = offer(500);
    const third = offer(500);
    // Every saturated step takes a fifth off: each half second admits less than the one before.
    expect(first).toBeLessThan(10_000_000);
    expect(second).toBeLessThan(first * 0.5);
    expect(third).toBeLessThan(second * 0.5);
    expect(third).toBeGreaterThan(0); // the floor: something always gets through
    // Calm again but still flooded: the limit grows step by step instead of letting the whole flood back in.
    saturated = false;
    const calm = offer(500);
    const calmer = offer(500);
    expect(calmer).toBeGreaterThan(calm);
    expect(calmer).toBeLessThan(10_000_000 / 2);
    // The flood stops; after two calm seconds with nothing refused, the limit lets go.
    clock.now += 2_100;
    admitted(admission.admit('other:9', 1)).release();
    expect(offer(500)).toBe(10_000_000);
  });

  it('engages at what the daemon gets through, not at the flood it took in', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e12, maxItemsInFlight: 1e9, maxStoreBacklog: 1e9 }, () => 0, () => saturated, () => clock.now);
    const held: AdmissionTicket[] = [];
    // One in five is answered at once, the rest wait (the daemon is behind).
    const offer = (ms: number): number => offerFlood(admission, clock, ms, (ticket, i) => (i % 5 === 0 ? ticket.release() : held.push(ticket)));
    offer(2000);
    saturated = true;
    offer(300); // engages
    // About 2 MB/s was answered: the limit starts below that, not near the 10 MB/s taken in.
    expect(offer(200)).toBeLessThan(2_000_000);
    for (const ticket of held) ticket.release();
  });

  it('counts a body of unknown length as it arrives, as it would a declared one (the JS SDK sends OTLP/HTTP chunked)', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e12 }, () => 0, () => saturated, () => clock.now);
    /** 200 chunked exports a second: admitted at 0 bytes, their 50 kB held as the body comes. */
    const offerChunked = (ms: number): number => {
      let admitted = 0;
      const end = clock.now + ms;
      for (let i = 0; clock.now < end; i++, clock.now += 5) {
        const ticket = admission.admit(`flood:${i % 4}`, 0);
        if (ticket instanceof BackpressureError) continue;
        admitted++;
        expect(ticket.holdRequestBytes(FLOOD_EXPORT_BYTES)).toBe(true);
        ticket.release();
      }
      return (admitted * 1000) / ms;
    };
    expect(offerChunked(2000)).toBe(200);
    saturated = true;
    offerChunked(1000);
    // Engaged and lowered as for declared lengths: far fewer than the 200 a second offered get in.
    expect(offerChunked(500)).toBeLessThan(40);
  });

  it('lets go once less than a flood is asked of it, even while the daemon stays saturated', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e12 }, () => 0, () => saturated, () => clock.now);
    offerFlood(admission, clock, 2000, (ticket) => ticket.release());
    saturated = true;
    offerFlood(admission, clock, 1500, (ticket) => ticket.release()); // engaged, down near the floor
    // The flood stops; a Collector goes on at 10 exports (500 kB) a second while the host stays busy.
    let admitted = 0;
    for (let i = 0; i < 100; i++, clock.now += 100) {
      const ticket = admission.admit('collector:7', 50_000);
      if (ticket instanceof BackpressureError) continue;
      admitted++;
      ticket.release();
    }
    expect(admitted).toBeGreaterThan(80);
  });

  it('goes into debt by a second of its rate at the most: one huge export does not shut the others out for long', () => {
    let saturated = false;
    const clock = { now: 0 };
    const admission = new ExportAdmission({ ...LIMITS, maxBytesInFlight: 1e12, maxItemsInFlight: 1e9 }, () => 0, () => saturated, () => clock.now);
    offerFlood(admission, clock, 2000, (ticket) => ticket.release());
    saturated = true;
    offerFlood(admission, clock, 2000, (ticket) => ticket.release()); // at the floor
    // A 4 MiB export gets in on the tokens there are, then every heavy sender waits for the bucket to refill.
    let huge: AdmissionTicket | BackpressureError = admission.refusal('none yet');
    for (let i = 0; i < 400 && huge instanceof BackpressureError; i++, clock.now += 5) huge = admission.admit('flood:0', 4 * 1024 * 1024);
    expect(huge).toBeInstanceOf(AdmissionTicket);
    (huge as AdmissionTicket).release();
    const start = clock.now;
    let next: AdmissionTicket | BackpressureError = admission.refusal('none yet');
    for (; next instanceof BackpressureError && clock.now - start < 60_000; clock.now += 5) next = admission.admit('flood:1', FLOOD_EXPORT_BYTES);
    // Within a second or two (the floor's refill), not the minute 4 MiB at 64 KiB/s would take.
    expect(clock.now - start).toBeLessThan(3_000);
  });

  it('refuses limits that are not positive, naming the option', () => {
    expect(() => new ExportAdmission({ ...LIMITS, maxItemsInFlight: 0 })).toThrow(/^admission\.maxItemsInFlight: must be a number > 0/);
  });
});
