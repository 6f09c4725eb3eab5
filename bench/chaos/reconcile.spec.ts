import { describe, expect, it } from 'vitest';
import { reconcile, reconcileChannel, type AcceptedEvent, type ChannelEvidence } from './reconcile';

const P = 1000n;
const event = (k: number, id = `e${k}`): AcceptedEvent => ({
  id,
  previousBalance: BigInt(k - 1) * P,
  balance: BigInt(k) * P,
});

/** `n` requests each paid with one price, each answered 2xx, every book in agreement. */
function clean(n: number, channelId = '0xchannel-a'): ChannelEvidence {
  const ks = Array.from({ length: n }, (_, i) => i + 1);
  return {
    channelId,
    paid: ks.map((k) => ({ balance: BigInt(k) * P, cost: P })),
    gateway: { acceptedBalance: BigInt(n) * P, paidRequests: n },
    ledger: { balance: BigInt(n) * P, proofCount: n, revenue: BigInt(n) * P },
    events: ks.map((k) => event(k)),
  };
}

describe('reconcile', () => {
  it('finds nothing when the client, the gateway, the ledger and the events agree', () => {
    const result = reconcile([clean(5), clean(3, '0xchannel-b')]);
    expect(result).toEqual({
      lost: { count: 0, amount: 0n },
      double: { count: 0, amount: 0n },
      chargedWithout2xx: { count: 0, amount: 0n },
      findings: [],
    });
  });

  it('does not count an event delivered twice (same id) as a second acceptance', () => {
    const evidence = clean(3);
    const result = reconcileChannel({ ...evidence, events: [...evidence.events, event(2)] });
    expect(result.double).toEqual({ count: 0, amount: 0n });
    expect(result.findings).toEqual([]);
  });

  it('counts a charged 2xx whose event never reached Kafka as lost, in base units', () => {
    const evidence = clean(4);
    const result = reconcileChannel({
      ...evidence,
      events: evidence.events.filter((e) => e.balance !== 4n * P),
      ledger: { balance: 3n * P, proofCount: 3, revenue: 3n * P },
    });
    expect(result.lost).toEqual({ count: 1, amount: P });
    // The gateway row still holds 4 prices: the events are below it.
    expect(result.findings.join('\n')).toContain('gateway holds 4000, events only 3000');
  });

  it('counts a ledger that applied an increment twice as double', () => {
    const evidence = clean(3);
    const result = reconcileChannel({
      ...evidence,
      ledger: { balance: 3n * P, proofCount: 4, revenue: 4n * P },
    });
    expect(result.double).toEqual({ count: 1, amount: P });
    expect(result.lost).toEqual({ count: 0, amount: 0n });
  });

  it('counts two different acceptances of one increment (distinct ids, overlapping balances) as double', () => {
    const evidence = clean(2);
    const result = reconcileChannel({ ...evidence, events: [...evidence.events, event(2, 'other-id')] });
    expect(result.double.count).toBe(1);
    expect(result.double.amount).toBe(P);
  });

  it('counts one balance answered 2xx twice as double (served twice for one payment)', () => {
    const evidence = clean(2);
    const result = reconcileChannel({ ...evidence, paid: [...evidence.paid, { balance: 2n * P, cost: P }] });
    expect(result.double).toEqual({ count: 1, amount: P });
  });

  it('counts an accepted proof the client got no 2xx for as charged without 2xx, with what it was answered', () => {
    const evidence = clean(3);
    const result = reconcileChannel({
      ...evidence,
      paid: evidence.paid.filter((p) => p.balance !== 2n * P),
      attempts: new Map([[2n * P, ['502 REPLICA_UNAVAILABLE', '409 BALANCE_STALE']]]),
    });
    expect(result.chargedWithout2xx).toEqual({ count: 1, amount: P });
    expect(result.lost).toEqual({ count: 0, amount: 0n });
    expect(result.findings).toEqual([
      '0xchannel-: accepted balance 2000 without a 2xx to the client (502 REPLICA_UNAVAILABLE, 409 BALANCE_STALE)',
    ]);
  });

  it('counts a charged 2xx for a channel no book knows as lost', () => {
    const result = reconcileChannel({
      channelId: '0xghost',
      paid: [{ balance: P, cost: P }],
      events: [],
    });
    expect(result.lost).toEqual({ count: 1, amount: P });
    expect(result.findings[0]).toContain(
      'no balance-proof.accepted event, gateway row below it, ledger below it',
    );
  });

  it('counts a ledger that never saw a channel with accepted proofs as lost', () => {
    const { ledger: _ledger, ...evidence } = clean(2);
    const result = reconcileChannel({ ...evidence, paid: [] });
    expect(result.lost.amount).toBe(2n * P);
    expect(result.chargedWithout2xx.count).toBe(2);
  });
});
