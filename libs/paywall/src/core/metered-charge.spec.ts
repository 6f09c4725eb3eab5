import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ChargeReportError,
  decideCharge,
  readReportedCharge,
  reportCharge,
  takeReportedCharge,
} from './metered-charge';

const CEILING = 500n;

describe('decideCharge', () => {
  it('charges a fixed price everything the proof authorises above the charged balance', () => {
    expect(decideCharge({ mode: 'fixed', price: 100n, authorised: 130n })).toEqual({ charge: 130n });
    // A report on a fixed-price route changes nothing.
    expect(decideCharge({ mode: 'fixed', price: 100n, authorised: 100n, reported: { amount: 1n } })).toEqual({
      charge: 100n,
    });
  });

  it.each([
    ['what was reported', { amount: 137n }, { charge: 137n }],
    ['exactly the ceiling', { amount: CEILING }, { charge: CEILING }],
    ['at least 1 base unit for a report of 0', { amount: 0n }, { charge: 1n }],
    [
      'the ceiling for an over-report, flagged',
      { amount: CEILING + 1n },
      { charge: CEILING, fallback: 'overreport' },
    ],
    [
      'the ceiling when nothing was reported, flagged',
      undefined,
      { charge: CEILING, fallback: 'unreported' },
    ],
    [
      'the ceiling for a malformed report, flagged',
      { malformed: 'empty' },
      { charge: CEILING, fallback: 'unreported' },
    ],
  ] as const)('charges a metered request %s', (_what, reported, expected) => {
    const input = { mode: 'metered' as const, price: CEILING, authorised: 2n * CEILING };
    expect(decideCharge(reported === undefined ? input : { ...input, reported })).toEqual(expected);
  });

  it('never charges a metered request outside 1..ceiling, whatever is reported', () => {
    for (const amount of [0n, 1n, 2n, 499n, 500n, 501n, 10n ** 30n]) {
      const { charge } = decideCharge({
        mode: 'metered',
        price: CEILING,
        authorised: CEILING,
        reported: { amount },
      });
      expect(charge >= 1n && charge <= CEILING).toBe(true);
    }
  });
});

describe('readReportedCharge', () => {
  it('reads one canonical amount, repeats of it once, and names what is wrong otherwise', () => {
    expect(readReportedCharge(undefined)).toBeUndefined();
    expect(readReportedCharge([])).toBeUndefined();
    expect(readReportedCharge('42')).toEqual({ amount: 42n });
    expect(readReportedCharge(['42', '42'])).toEqual({ amount: 42n });
    expect(readReportedCharge(['42', '43'])).toEqual({ malformed: 'repeated with different values' });
    for (const bad of ['', '-1', '042', '1.5', 'abc', '1e3', (1n << 256n).toString()])
      expect(readReportedCharge(bad)).toHaveProperty('malformed');
  });
});

describe('reportCharge', () => {
  const aResponse = () => new ServerResponse(new IncomingMessage(new Socket()));

  it('hands the last reported amount to the paywall once, on Node’s response or a Fastify-like reply', () => {
    const res = aResponse();
    reportCharge(res, 7n);
    reportCharge(res, '9');
    expect(takeReportedCharge(res)).toEqual({ amount: 9n });
    expect(takeReportedCharge(res)).toBeUndefined();
    const raw = aResponse();
    reportCharge({ raw }, 3n);
    expect(takeReportedCharge(raw)).toEqual({ amount: 3n });
  });

  it('reads an RDN-Charge header the handler set instead, and removes it', () => {
    const res = aResponse();
    res.setHeader('RDN-Charge', '12');
    expect(takeReportedCharge(res)).toEqual({ amount: 12n });
    expect(res.getHeader('rdn-charge')).toBeUndefined();
  });

  it('refuses a value that is no amount where the handler reports it', () => {
    const res = aResponse();
    for (const bad of [-1n, 1n << 256n, '1.5', '', 'ten'] as const)
      expect(() => reportCharge(res, bad)).toThrow(ChargeReportError);
    expect(takeReportedCharge(res)).toBeUndefined();
  });
});
