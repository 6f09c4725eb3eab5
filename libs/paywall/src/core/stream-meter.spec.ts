import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideStream,
  startStreamMeter,
  stepStream,
  topUpTerms,
  type StreamDecision,
  type StreamInput,
  type StreamMeter,
} from './stream-meter';

const pricing = { unitPrice: 3n, unitsPerStep: 4 }; // one step = 12
const start = () => startStreamMeter(pricing, 100n, 112n); // C = 100, S = 112: one step authorised

function run(meter: StreamMeter, inputs: readonly StreamInput[]) {
  const decisions: StreamDecision[] = [];
  for (const input of inputs) {
    const next = stepStream(meter, input);
    decisions.push(next.decision);
    meter = next.meter;
  }
  return { meter, decisions };
}

const units = (n: number): StreamInput[] => Array.from({ length: n }, () => ({ kind: 'unit' }));

describe('stream meter', () => {
  it('forwards the units one step pays for, then pauses asking for the balance that pays one more step', () => {
    const { meter, decisions } = run(start(), units(5));
    expect(decisions.slice(0, 4).map((d) => d.kind)).toEqual(['forward', 'forward', 'forward', 'forward']);
    expect(decisions[4]).toEqual({
      kind: 'pause',
      pause: 1,
      authorize: { balance: 112n, chargedBalance: 112n, delivered: 4, needed: 124n },
    });
    expect(meter.held).toBe(true);
    // Nothing is read from the upstream while held; a unit fed anyway is not forwarded.
    expect(decideStream(meter, { kind: 'unit' })).toEqual({ kind: 'wait' });
  });

  it('accepts a top-up charging the units delivered since the last commit, then resumes with the held unit', () => {
    let { meter } = run(start(), units(5));
    expect(topUpTerms(meter)).toEqual({ lastAcceptedBalance: 112n, chargedBalance: 112n, price: 12n });
    const topUp = stepStream(meter, { kind: 'top-up', balance: 124n });
    expect(topUp.decision).toEqual({
      kind: 'commit-top-up',
      expectedBalance: 112n,
      balance: 124n,
      expectedCharged: 100n,
      charge: 12n,
    });
    meter = topUp.meter;
    const settled = stepStream(meter, { kind: 'top-up-settled', committed: true });
    expect(settled.decision).toEqual({ kind: 'resume' });
    expect(settled.meter).toMatchObject({ authorised: 124n, committed: 4, delivered: 5, held: false });
  });

  it('refuses a replayed (stale) or too small top-up and keeps waiting', () => {
    const { meter } = run(start(), units(5));
    expect(decideStream(meter, { kind: 'top-up', balance: 112n })).toEqual({
      kind: 'refuse-top-up',
      code: 'BALANCE_STALE',
    });
    expect(decideStream(meter, { kind: 'top-up', balance: 123n })).toEqual({
      kind: 'refuse-top-up',
      code: 'INCREMENT_BELOW_PRICE',
    });
  });

  it('takes one top-up at a time', () => {
    const { meter } = run(start(), [...units(5), { kind: 'top-up', balance: 124n }]);
    expect(decideStream(meter, { kind: 'top-up', balance: 200n })).toEqual({
      kind: 'refuse-top-up',
      code: 'TOP_UP_BUSY',
    });
  });

  it('asks again when a top-up did not commit', () => {
    const { meter, decisions } = run(start(), [
      ...units(5),
      { kind: 'top-up', balance: 124n },
      { kind: 'top-up-settled', committed: false },
    ]);
    expect(decisions.at(-1)).toMatchObject({ kind: 'pause', pause: 2, authorize: { needed: 124n } });
    expect(meter.authorised).toBe(112n);
  });

  it('ends on timeout charging exactly what was delivered; an earlier pause timer is ignored', () => {
    const { meter, decisions } = run(start(), [
      ...units(5),
      { kind: 'top-up', balance: 124n },
      { kind: 'top-up-settled', committed: false },
      { kind: 'timeout', pause: 1 },
      { kind: 'timeout', pause: 2 },
    ]);
    expect(decisions.at(-2)).toEqual({ kind: 'wait' });
    expect(decisions.at(-1)).toEqual({
      kind: 'finish',
      settlement: {
        expectedCharged: 100n,
        charge: 12n,
        balance: 112n,
        chargedBalance: 112n,
        cost: 12n,
        units: 4,
        reason: 'timeout',
      },
    });
    expect(decideStream(meter, { kind: 'unit' })).toEqual({ kind: 'wait' });
  });

  it('charges a client that left exactly the units written before it left', () => {
    const { decisions } = run(start(), [
      ...units(5),
      { kind: 'top-up', balance: 136n },
      { kind: 'top-up-settled', committed: true },
      ...units(2),
      { kind: 'client-gone' },
      { kind: 'unit' },
    ]);
    expect(decisions.at(-2)).toMatchObject({
      kind: 'finish',
      settlement: { expectedCharged: 112n, charge: 9n, cost: 21n, units: 7, reason: 'client-gone' },
    });
    expect(decisions.at(-1)).toEqual({ kind: 'wait' });
  });

  it('waits for a top-up commit in flight before the final charge', () => {
    const { decisions } = run(start(), [
      ...units(2),
      { kind: 'top-up', balance: 200n },
      { kind: 'unit' },
      { kind: 'upstream-end' },
      { kind: 'top-up-settled', committed: true },
    ]);
    expect(decisions.at(-2)).toEqual({ kind: 'wait' });
    // The top-up charged the 2 units delivered when it was decided; the final charge the third.
    expect(decisions[2]).toMatchObject({ kind: 'commit-top-up', charge: 6n });
    expect(decisions.at(-1)).toMatchObject({
      kind: 'finish',
      settlement: {
        expectedCharged: 106n,
        charge: 3n,
        balance: 200n,
        cost: 9n,
        units: 3,
        reason: 'upstream-end',
      },
    });
  });

  it('ends at once when the client closed its side and the authorisation is spent (a browser signs it all up front)', () => {
    const early = run(start(), [{ kind: 'top-ups-ended' }, ...units(5)]);
    expect(early.decisions.at(-1)).toMatchObject({
      kind: 'finish',
      settlement: { cost: 12n, units: 4, reason: 'authorisation-spent' },
    });
    const paused = run(start(), [...units(5), { kind: 'top-ups-ended' }]);
    expect(paused.decisions.at(-1)).toMatchObject({
      kind: 'finish',
      settlement: { units: 4, reason: 'authorisation-spent' },
    });
  });

  it('a stream that delivered nothing charges nothing', () => {
    const { decisions } = run(start(), [{ kind: 'upstream-end' }]);
    expect(decisions[0]).toMatchObject({ kind: 'finish', settlement: { charge: 0n, cost: 0n, units: 0 } });
  });

  it('ends on a refused top-up (a byte stream) charging what was delivered, after a commit in flight settled', () => {
    const now = run(start(), [...units(5), { kind: 'top-up-refused' }]);
    expect(now.decisions.at(-1)).toMatchObject({
      kind: 'finish',
      settlement: { charge: 12n, units: 4, reason: 'top-up-refused' },
    });
    const inFlight = run(start(), [
      ...units(2),
      { kind: 'top-up', balance: 200n },
      { kind: 'top-up-refused' },
      { kind: 'unit' },
      { kind: 'top-up-settled', committed: true },
    ]);
    expect(inFlight.decisions.slice(3).map((d) => d.kind)).toEqual(['wait', 'wait', 'finish']);
    expect(inFlight.decisions.at(-1)).toMatchObject({
      settlement: { expectedCharged: 106n, charge: 0n, units: 2, reason: 'top-up-refused' },
    });
  });

  it('refuses a pricing without a unit price or step, or with a unit size out of range', () => {
    expect(() => startStreamMeter({ unitPrice: 0n, unitsPerStep: 1 }, 0n, 1n)).toThrow(RangeError);
    expect(() => startStreamMeter({ unitPrice: 1n, unitsPerStep: 0 }, 0n, 1n)).toThrow(RangeError);
    expect(() => startStreamMeter({ unitPrice: 1n, unitsPerStep: 1, unitBytes: 0 }, 0n, 1n)).toThrow(
      RangeError,
    );
    expect(() => startStreamMeter({ unitPrice: 1n, unitsPerStep: 1, unitBytes: 1.5 }, 0n, 1n)).toThrow(
      RangeError,
    );
    expect(startStreamMeter({ unitPrice: 1n, unitsPerStep: 1, unitBytes: 4096 }, 0n, 1n).delivered).toBe(0);
    expect(() => startStreamMeter(pricing, 10n, 9n)).toThrow(RangeError);
  });
});

/** A random client and database around the meter: top-ups of any size, commits that fail, a client that leaves. */
const scenario = fc.record({
  unitPrice: fc.bigInt({ min: 1n, max: 1000n }),
  unitsPerStep: fc.integer({ min: 1, max: 8 }),
  base: fc.bigInt({ min: 0n, max: 10_000n }),
  firstExtra: fc.bigInt({ min: 0n, max: 5000n }),
  units: fc.integer({ min: 0, max: 60 }),
  moves: fc.array(
    fc.record({
      topUpBy: fc.bigInt({ min: -50n, max: 5000n }),
      commitFails: fc.boolean(),
      early: fc.boolean(),
      leave: fc.integer({ min: 0, max: 40 }),
      /** The client closes its request body here (no more top-ups). */
      stop: fc.boolean(),
      timeout: fc.integer({ min: 0, max: 12 }),
    }),
    { maxLength: 30 },
  ),
});

describe('stream meter properties', () => {
  it('never delivers beyond the authorised balance, and charges exactly units * unitPrice in a CAS chain', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p = { unitPrice: s.unitPrice, unitsPerStep: s.unitsPerStep };
        const step = s.unitPrice * BigInt(s.unitsPerStep);
        // The database: S and C, moved only by compare-and-set.
        const db = { S: s.base + step + s.firstExtra, C: s.base };
        let meter = startStreamMeter(p, db.C, db.S);
        let upstreamLeft = s.units;
        let move = 0;
        let finished: Extract<StreamDecision, { kind: 'finish' }> | undefined;
        const feed = (input: StreamInput): StreamDecision => {
          const next = stepStream(meter, input);
          meter = next.meter;
          const d = next.decision;
          expect(meter.base + BigInt(meter.delivered) * s.unitPrice).toBeLessThanOrEqual(meter.authorised);
          if (d.kind === 'commit-top-up') {
            const m = s.moves[move - 1];
            const ok = !m?.commitFails && db.S === d.expectedBalance && db.C === d.expectedCharged;
            expect(db.C === d.expectedCharged).toBe(true);
            if (ok) {
              expect(db.C + d.charge).toBeLessThanOrEqual(d.balance);
              db.S = d.balance;
              db.C += d.charge;
            }
            return feed({ kind: 'top-up-settled', committed: ok });
          }
          if (d.kind === 'finish') {
            expect(d.settlement.expectedCharged).toBe(db.C);
            db.C += d.settlement.charge;
            finished = d;
          }
          return d;
        };
        for (let guard = 0; guard < 500 && finished === undefined; guard++) {
          const m = s.moves[move];
          if (m !== undefined && m.leave === guard % 41) {
            feed({ kind: 'client-gone' });
            break;
          }
          if (m?.stop && !meter.topUpsEnded) {
            move++;
            feed({ kind: 'top-ups-ended' });
            continue;
          }
          // A client that closed its side is never waited for: a pause then ends the stream at once.
          expect(meter.topUpsEnded && meter.held).toBe(false);
          if (m?.early && !meter.held) {
            move++;
            feed({ kind: 'top-up', balance: meter.authorised + m.topUpBy });
            continue;
          }
          if (meter.held) {
            if (m === undefined || m.timeout === 0) {
              feed({ kind: 'timeout', pause: meter.pauses });
              break;
            }
            move++;
            feed({ kind: 'top-up', balance: meter.authorised + m.topUpBy });
            continue;
          }
          if (upstreamLeft === 0) {
            feed({ kind: 'upstream-end' });
            break;
          }
          upstreamLeft--;
          feed({ kind: 'unit' });
        }
        if (finished === undefined) feed({ kind: 'client-gone' });
        const settled = finished!.settlement;
        expect(settled.cost).toBe(BigInt(meter.delivered) * s.unitPrice);
        expect(settled.units).toBe(meter.delivered);
        expect(db.C).toBe(s.base + settled.cost);
        expect(db.C).toBeLessThanOrEqual(db.S);
        expect(settled.balance).toBe(db.S);
        expect(settled.chargedBalance).toBe(db.C);
        // The unused authorisation never exceeds one step plus what the client chose to sign ahead.
        expect(meter.delivered).toBeLessThanOrEqual(s.units);
      }),
      { numRuns: 500 },
    );
  });
});
