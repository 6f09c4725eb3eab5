import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import {
  channelDomain,
  encodePayment,
  parseChallenge,
  parseReceipt,
  parseX402PaymentRequired,
  privateKeyToAddress,
  signBalanceProof,
  type Hex32,
} from '@microraiden/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReportedCharge } from './metered-charge';
import { Paywall, type Admission, type PaidTicket, type PaywallRequest } from './paywall';
import { NO_METRICS, type PaywallMetrics } from './paywall-metrics';
import { RouteTable } from './route-table';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';

const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const channelId = `0x${'cd'.repeat(32)}` as Hex32;
const CEILING = 500n;
const PRICE = 100n;

let store: InMemoryChannelStore;
let paywall: Paywall;
let metrics: PaywallMetrics & { meterFallback: ReturnType<typeof vi.fn> };
let log: ReturnType<typeof vi.fn>;

beforeEach(() => {
  store = new InMemoryChannelStore();
  store.put({ channelId, sender, receiver, deposit: 10_000n });
  metrics = { ...NO_METRICS, meterFallback: vi.fn() };
  log = vi.fn();
  paywall = new Paywall({
    identity: {
      receiver,
      domain,
      token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      gatewayPath: '/api/1',
    },
    routes: new RouteTable([
      { match: { exact: '/llm' }, rule: { kind: 'metered', maxPrice: CEILING } },
      { match: { exact: '/fixed' }, rule: { kind: 'paid', prices: new Map([['*', PRICE]]) } },
    ]),
    store,
    gatewayId: 'unit',
    metrics,
    log,
    clock: () => new Date('2026-01-01T00:00:00.000Z'),
  });
});

function request(balance?: bigint, path = '/llm'): PaywallRequest {
  const headers =
    balance === undefined
      ? {}
      : encodePayment({
          sender,
          channelId,
          balance,
          signature: signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance }),
        });
  return { method: 'POST', path, query: '', headers, resourceUrl: `http://localhost${path}` };
}

function ticketOf(admission: Admission): PaidTicket {
  if (admission.kind !== 'paid')
    throw new Error(`expected a paid admission, got ${JSON.stringify(admission)}`);
  return admission.ticket;
}

/** Pays `balance` for `path`, the handler reporting `reported`; the completion's headers (or refusal). */
async function pay(balance: bigint, reported?: ReportedCharge, path = '/llm', status = 200) {
  const ticket = ticketOf(await paywall.admit(request(balance, path)));
  return paywall.complete(ticket, { status, ...(reported === undefined ? {} : { reported }) });
}

function headersOf(completion: Awaited<ReturnType<typeof pay>>) {
  if (completion.kind !== 'deliver')
    throw new Error(`expected a delivery, got ${JSON.stringify(completion)}`);
  return completion.headers;
}

describe('Paywall on a metered route', () => {
  it('challenges for the ceiling with RDN-Price-Mode: metered', async () => {
    const admission = await paywall.admit(request());
    expect(admission.kind === 'respond' && admission.response.status).toBe(402);
    const headers = admission.kind === 'respond' ? admission.response.headers : {};
    expect(parseChallenge(headers)).toMatchObject({
      ok: true,
      value: { price: CEILING, priceMode: 'metered' },
    });
    const fixed = await paywall.admit(request(undefined, '/fixed'));
    expect(fixed.kind === 'respond' && fixed.response.headers['RDN-Price-Mode']).toBeUndefined();
    // x402 clients are told too: the requirement's amount is the ceiling, extra.priceMode says so.
    const x402 = parseX402PaymentRequired(headers);
    expect(x402.ok && x402.value.accepted).toMatchObject({
      amount: CEILING.toString(),
      extra: { priceMode: 'metered' },
    });
    const fixedX402 = parseX402PaymentRequired(fixed.kind === 'respond' ? fixed.response.headers : {});
    expect(fixedX402.ok && fixedX402.value.accepted.extra).not.toHaveProperty('priceMode');
  });

  it('charges what was reported, commits S and C together, and says C where it differs from S', async () => {
    const headers = headersOf(await pay(CEILING, { amount: 120n }));
    expect(parseReceipt(headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: CEILING, cost: 120n, chargedBalance: 120n },
    });
    expect(headers['RDN-Price-Mode']).toBe('metered');
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: CEILING, chargedBalance: 120n });
    const event = store.events[0] as BalanceProofAcceptedV1;
    expect(event.data).toMatchObject({
      balance: CEILING,
      previousBalance: 0n,
      increment: CEILING,
      price: CEILING,
      charge: 120n,
      chargedBalance: 120n,
    });
  });

  it('accepts the next proof at max(S + 1, C + ceiling) and refuses one below C + ceiling', async () => {
    await pay(CEILING, { amount: 120n });
    const low = await paywall.admit(request(120n + CEILING - 1n));
    expect(low.kind === 'respond' && low.response.headers['RDN-Error']).toBe('INCREMENT_BELOW_PRICE');
    // The corrective receipt gives both balances, so the client can compute the next proof.
    const receipt = low.kind === 'respond' ? parseReceipt(low.response.headers) : undefined;
    expect(receipt).toEqual({
      ok: true,
      value: { channelId, senderBalance: CEILING, cost: 0n, chargedBalance: 120n },
    });
    const headers = headersOf(await pay(120n + CEILING, { amount: 500n }));
    expect(parseReceipt(headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 620n, cost: 500n },
    });
    // C = S again: no RDN-Charged-Balance, and the event omits what equals its default.
    expect(headers['RDN-Charged-Balance']).toBeUndefined();
    const second = store.events[1] as BalanceProofAcceptedV1;
    expect(second.data).toMatchObject({
      previousBalance: CEILING,
      increment: 120n,
      charge: 500n,
      chargedBalance: 620n,
    });
  });

  it('charges the ceiling for an over-report (logged, counted) and for no report (counted)', async () => {
    headersOf(await pay(CEILING, { amount: CEILING + 1n }));
    expect(store.channels.get(channelId)?.chargedBalance).toBe(CEILING);
    expect(metrics.meterFallback).toHaveBeenCalledWith('/llm', 'overreport');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('above the ceiling'), {
      route: '/llm',
      ceiling: '500',
      reported: '501',
    });
    headersOf(await pay(2n * CEILING));
    expect(store.channels.get(channelId)?.chargedBalance).toBe(2n * CEILING);
    expect(metrics.meterFallback).toHaveBeenLastCalledWith('/llm', 'unreported');
    headersOf(await pay(3n * CEILING, { malformed: 'not a canonical base-10 unsigned integer' }));
    expect(metrics.meterFallback).toHaveBeenCalledTimes(3);
  });

  it('charges nothing and accepts nothing when the handler fails', async () => {
    await pay(CEILING, { amount: 10n });
    const failed = await pay(10n + CEILING, { amount: 10n }, '/llm', 503);
    expect(parseReceipt(headersOf(failed))).toEqual({
      ok: true,
      value: { channelId, senderBalance: CEILING, cost: 0n, chargedBalance: 10n },
    });
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: CEILING, chargedBalance: 10n });
    expect(store.events).toHaveLength(1);
  });

  it('charges a fixed price after a metered request everything above C, and C = S again', async () => {
    await pay(CEILING, { amount: 50n });
    // S = 500, C = 50: a fixed route's next proof must be > S and >= C + price; it is charged balance - C.
    const headers = headersOf(await pay(CEILING + 1n, undefined, '/fixed'));
    expect(parseReceipt(headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: CEILING + 1n, cost: CEILING + 1n - 50n },
    });
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: 501n, chargedBalance: 501n });
  });

  it('treats a proof in flight on this process as fully charged', async () => {
    const first = ticketOf(await paywall.admit(request(CEILING)));
    // Until the first completes, its whole ceiling counts as charged: C' = 500, so 999 is below C' + ceiling.
    const early = await paywall.admit(request(2n * CEILING - 1n));
    expect(early.kind === 'respond' && early.response.headers['RDN-Error']).toBe('INCREMENT_BELOW_PRICE');
    const second = ticketOf(await paywall.admit(request(2n * CEILING)));
    await paywall.complete(first, { status: 200, reported: { amount: 5n } });
    const done = await paywall.complete(second, { status: 200, reported: { amount: 7n } });
    expect(parseReceipt(headersOf(done))).toMatchObject({
      ok: true,
      value: { cost: 7n, chargedBalance: 12n },
    });
    expect(store.channels.get(channelId)).toMatchObject({ acceptedBalance: 1000n, chargedBalance: 12n });
  });
});
