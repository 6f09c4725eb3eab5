import type { BalanceProofAcceptedV1 } from '@microraiden/events';
import {
  channelDomain,
  encodePayment,
  parseChallenge,
  parseReceipt,
  privateKeyToAddress,
  ProtocolError,
  signBalanceProof,
  type Hex32,
} from '@microraiden/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChainChannelReads } from './chain-channel-reads';
import type { ChainVerdict } from './chain-guard';
import {
  Paywall,
  type Admission,
  type PaidTicket,
  type PaywallOptions,
  type PaywallRequest,
} from './paywall';
import { NO_METRICS } from './paywall-metrics';
import type { ChainChannelState } from './pending-deposit-decision';
import { RouteTable } from './route-table';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';

const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const token = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const PRICE = 100n;

let store: InMemoryChannelStore;
let paywall: Paywall;

/** The unit paywall's options: one paid and one free route over `store`; `extra` adds or overrides. */
function paywallOptions(extra: Partial<PaywallOptions> = {}): PaywallOptions {
  return {
    identity: { receiver, domain, token, gatewayPath: '/api/1' },
    routes: new RouteTable([
      { match: { exact: '/paid' }, rule: { kind: 'paid', prices: new Map([['GET', PRICE]]) } },
      { match: { prefix: '/free/' }, rule: { kind: 'free' } },
    ]),
    store,
    gatewayId: 'unit',
    clock: () => new Date('2026-01-01T00:00:00.000Z'),
    ...extra,
  };
}

beforeEach(() => {
  store = new InMemoryChannelStore();
  store.put({ channelId, sender, receiver, deposit: 10n * PRICE });
  paywall = new Paywall(paywallOptions());
});

function request(headers: Record<string, string> = {}, path = '/paid', method = 'GET'): PaywallRequest {
  return { method, path, query: '', headers, resourceUrl: `http://localhost${path}`, accept: headers.accept };
}

function payment(balance: bigint, overrides: Record<string, string> = {}): Record<string, string> {
  const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
  return {
    ...encodePayment({
      sender,
      channelId,
      balance,
      signature,
      receiver,
      channelManager: domain.verifyingContract,
      chainId: domain.chainId,
    }),
    ...overrides,
  };
}

function ticketOf(admission: Admission): PaidTicket {
  if (admission.kind !== 'paid')
    throw new Error(`expected a paid admission, got ${JSON.stringify(admission)}`);
  return admission.ticket;
}

function rejection(admission: Admission) {
  if (admission.kind !== 'respond') throw new Error(`expected a rejection, got ${admission.kind}`);
  return {
    status: admission.response.status,
    code: admission.response.headers['RDN-Error'],
    response: admission.response,
  };
}

describe('Paywall.admit', () => {
  it('answers unconfigured paths 404 and unpriced methods 405', async () => {
    expect(rejection(await paywall.admit(request({}, '/nope'))).status).toBe(404);
    const refused = rejection(await paywall.admit(request({}, '/paid', 'POST')));
    expect(refused.status).toBe(405);
    expect(refused.response.headers.Allow).toBe('GET');
  });

  it('lets free routes through without looking at payments', async () => {
    store.failing = true;
    expect(await paywall.admit(request({}, '/free/x'))).toEqual({ kind: 'free', route: '/free/*' });
  });

  it('answers an unpaid request with the challenge, the x402 header and JSON or the paywall page', async () => {
    const json = rejection(await paywall.admit(request()));
    expect(json).toMatchObject({ status: 402, code: 'PAYMENT_REQUIRED' });
    expect(json.response.headers).toMatchObject({
      'RDN-Price': '100',
      'RDN-Receiver-Address': receiver,
      'RDN-Chain-Id': '31337',
      'Content-Type': 'application/json; charset=utf-8',
    });
    expect(json.response.headers['PAYMENT-REQUIRED']).toBeTruthy();
    const html = rejection(await paywall.admit(request({ accept: 'text/html' })));
    expect(html.response.headers['Content-Type']).toMatch(/^text\/html/);
    expect(html.response.body).toContain('Payment required');
  });

  it('checks echoed domain fields before reading the channel', async () => {
    store.failing = true;
    expect(rejection(await paywall.admit(request(payment(PRICE, { 'RDN-Chain-Id': '1' })))).code).toBe(
      'WRONG_CHAIN',
    );
  });

  it('answers 503 GATEWAY_UNAVAILABLE with Retry-After when the channel cannot be read', async () => {
    store.failing = true;
    const refused = rejection(await paywall.admit(request(payment(PRICE))));
    expect(refused).toMatchObject({ status: 503, code: 'GATEWAY_UNAVAILABLE' });
    expect(refused.response.headers['Retry-After']).toBe('5');
  });

  it('says it was the database, and nothing more, when a lock or statement timeout refused the read', async () => {
    store.failing = true;
    store.failure = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    const refused = rejection(await paywall.admit(request(payment(PRICE))));
    expect(refused).toMatchObject({ status: 503, code: 'GATEWAY_UNAVAILABLE' });
    expect(refused.response.headers['Retry-After']).toBe('5');
    const body = JSON.parse(String(refused.response.body)) as { error: { message: string } };
    expect(body.error.message).toMatch(/database is unavailable or busy; this request was not charged/);
    expect(body.error.message).not.toMatch(/lock timeout/);
  });

  it('answers CHANNEL_INSUFFICIENT_CONFIRMATIONS for a channel whose creation is not final', async () => {
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, confirmed: false });
    const refused = rejection(await paywall.admit(request(payment(PRICE))));
    expect(refused).toMatchObject({ status: 402, code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS' });
    expect(refused.response.headers['Retry-After']).toBe('15');
  });

  it('treats a settled channel as unknown', async () => {
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, state: 'settled' });
    expect(rejection(await paywall.admit(request(payment(PRICE)))).code).toBe('CHANNEL_NOT_FOUND');
  });
});

describe('Paywall.refusal (answers of the close API)', () => {
  it('gives a 402 the challenge at the lowest route price and PAYMENT-REQUIRED, a 409 the challenge only', () => {
    const notFound = paywall.refusal(new ProtocolError('CHANNEL_NOT_FOUND'), {
      resourceUrl: 'http://localhost/api/1/channels/x/y',
    });
    expect(notFound.status).toBe(402);
    expect(parseChallenge(notFound.headers)).toMatchObject({ ok: true, value: { price: PRICE, receiver } });
    expect(notFound.headers['PAYMENT-REQUIRED']).toBeTruthy();
    const mismatch = paywall.refusal(new ProtocolError('CLOSE_BALANCE_MISMATCH'), {
      resourceUrl: 'http://localhost/api/1/channels/x/y',
      accept: 'text/html',
    });
    expect(mismatch.status).toBe(409);
    expect(parseChallenge(mismatch.headers).ok).toBe(true);
    expect(mismatch.headers['PAYMENT-REQUIRED']).toBeUndefined();
    expect(mismatch.headers['Content-Type']).toMatch(/^text\/html/);
  });
});

describe('Paywall.admit with chain reads (a creation or top-up mined, not confirmed)', () => {
  const unknown = `0x${'cd'.repeat(32)}` as Hex32;
  let reads: string[];
  let onChain: ChainChannelState;
  let withChain: Paywall;

  beforeEach(() => {
    reads = [];
    onChain = {
      head: 50,
      channel: { sender, receiver, deposit: 30n * PRICE, closing: false },
      recentChanges: [{ kind: 'topped-up', block: 49, deposit: 30n * PRICE }],
    };
    const reader = { read: async (id: Hex32) => (reads.push(id), onChain) };
    withChain = new Paywall(paywallOptions({ chainReads: new ChainChannelReads({ reader, required: 2 }) }));
  });

  const proof = (balance: bigint, id: Hex32 = channelId, key = SENDER_KEY) => {
    const signature = signBalanceProof(key, domain, { channelId: id, receiver, balance });
    return encodePayment({ sender, channelId: id, balance, signature });
  };

  it('answers CHANNEL_INSUFFICIENT_CONFIRMATIONS, not BALANCE_EXCEEDS_DEPOSIT, for a pending top-up', async () => {
    const refused = rejection(await withChain.admit(request(proof(20n * PRICE))));
    expect(refused).toMatchObject({ status: 402, code: 'CHANNEL_INSUFFICIENT_CONFIRMATIONS' });
    expect(refused.response.headers['Retry-After']).toBe('15');
    expect(JSON.parse(refused.response.body).error.details).toMatchObject({ confirmations: 1, missing: 1 });
    expect(rejection(await withChain.admit(request(proof(31n * PRICE)))).code).toBe(
      'BALANCE_EXCEEDS_DEPOSIT',
    );
  });

  it('answers CHANNEL_INSUFFICIENT_CONFIRMATIONS, not CHANNEL_NOT_FOUND, for a channel the chain has', async () => {
    expect(rejection(await withChain.admit(request(proof(PRICE, unknown)))).code).toBe(
      'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
    );
    onChain = { head: 50, channel: undefined, recentChanges: [] };
    const other = `0x${'ef'.repeat(32)}` as Hex32;
    expect(rejection(await withChain.admit(request(proof(PRICE, other)))).code).toBe('CHANNEL_NOT_FOUND');
  });

  it('reads nothing for a proof the claimed sender did not sign, nor for an accepted one', async () => {
    const forged = proof(PRICE, unknown, `0x${'11'.repeat(32)}`);
    expect(rejection(await withChain.admit(request(forged))).code).toBe('CHANNEL_NOT_FOUND');
    expect((await withChain.admit(request(proof(PRICE)))).kind).toBe('paid');
    expect(reads).toEqual([]);
  });
});

describe('Paywall.admit with a chain guard', () => {
  let verdict: ChainVerdict;
  let rejected: Array<[string, string]>;
  let guarded: Paywall;

  beforeEach(() => {
    verdict = { open: true, notReadyForMs: 0 };
    rejected = [];
    guarded = new Paywall(
      paywallOptions({
        retryAfter: { confirmations: 15, unavailable: 7 },
        metrics: { ...NO_METRICS, rejected: (route, reason) => rejected.push([route, reason]) },
        chainGuard: { verdict: () => verdict },
      }),
    );
  });

  const closed = (): ChainVerdict => ({
    open: false,
    notReadyForMs: 45_400,
    reason: 'the chain-watcher answered 503: chain: RPC did not answer',
  });

  it('accepts payments while the guard is open, also within the grace period of a not-ready watcher', async () => {
    verdict = { open: true, notReadyForMs: 12_000, reason: 'the chain-watcher answered 503: kafka: down' };
    const ticket = ticketOf(await guarded.admit(request(payment(PRICE))));
    expect(await guarded.complete(ticket, { status: 200 })).toMatchObject({
      kind: 'deliver',
      charged: PRICE,
    });
  });

  it.each([
    ['with payment headers', () => payment(PRICE)],
    ['without payment headers', () => ({})],
    ['asking for HTML without payment', () => ({ accept: 'text/html' })],
  ])(
    'answers 503 GATEWAY_UNAVAILABLE with Retry-After and why, %s, when the guard is closed',
    async (_, headers) => {
      verdict = closed();
      const refused = rejection(await guarded.admit(request(headers())));
      expect(refused).toMatchObject({ status: 503, code: 'GATEWAY_UNAVAILABLE' });
      expect(refused.response.headers['Retry-After']).toBe('7');
      // No challenge: a client must not be invited to open a channel the gateway could not defend.
      expect(refused.response.headers['RDN-Price']).toBeUndefined();
      expect(refused.response.headers['PAYMENT-REQUIRED']).toBeUndefined();
      expect(refused.response.body).toContain('the chain-watcher has not been ready for 45 s.');
      // Why not is for the log: it may name internal addresses.
      expect(refused.response.body).not.toContain('RPC did not answer');
      expect(rejected).toEqual([['/paid', 'GATEWAY_UNAVAILABLE']]);
    },
  );

  it('does not read the channel or reserve a balance while closed', async () => {
    verdict = closed();
    const reads = vi.spyOn(store, 'snapshot');
    rejection(await guarded.admit(request(payment(PRICE))));
    expect(reads).not.toHaveBeenCalled();
    expect(guarded.inFlightChannels).toBe(0);
  });

  it('still serves free routes and answers unknown routes 404 while closed', async () => {
    verdict = closed();
    expect(await guarded.admit(request({}, '/free/x'))).toEqual({ kind: 'free', route: '/free/*' });
    expect(rejection(await guarded.admit(request({}, '/nope'))).status).toBe(404);
  });

  it('accepts the same payment again as soon as the guard reopens', async () => {
    verdict = closed();
    rejection(await guarded.admit(request(payment(PRICE))));
    verdict = { open: true, notReadyForMs: 0 };
    const ticket = ticketOf(await guarded.admit(request(payment(PRICE))));
    expect(await guarded.complete(ticket, { status: 200 })).toMatchObject({
      kind: 'deliver',
      charged: PRICE,
    });
  });
});

describe('Paywall.complete', () => {
  it('accepts on upstream success: receipt headers and a balance-proof.accepted event', async () => {
    const ticket = ticketOf(await paywall.admit(request(payment(2n * PRICE))));
    const done = await paywall.complete(ticket, { status: 200 });
    expect(done.kind).toBe('deliver');
    if (done.kind !== 'deliver') return;
    expect(done.charged).toBe(2n * PRICE);
    expect(parseReceipt(done.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 2n * PRICE, cost: 2n * PRICE },
    });
    const event = store.events[0] as BalanceProofAcceptedV1;
    expect(event.data).toMatchObject({
      channelId,
      sender,
      receiver,
      balance: 2n * PRICE,
      previousBalance: 0n,
      increment: 2n * PRICE,
      price: PRICE,
      route: '/paid',
      method: 'GET',
      gatewayId: 'unit',
      acceptedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(paywall.inFlightChannels).toBe(0);
  });

  it('charges 2xx and 3xx answers of the upstream only: a 4xx is delivered with RDN-Cost 0', async () => {
    const proof = payment(PRICE);
    for (const status of [400, 404, 429]) {
      const done = await paywall.complete(ticketOf(await paywall.admit(request(proof))), { status });
      expect(done.kind === 'deliver' && done.charged).toBe(0n);
      expect(done.kind === 'deliver' && parseReceipt(done.headers)).toEqual({
        ok: true,
        value: { channelId, senderBalance: 0n, cost: 0n },
      });
    }
    expect(store.events).toHaveLength(0);
    const redirect = await paywall.complete(ticketOf(await paywall.admit(request(proof))), { status: 304 });
    expect(redirect.kind === 'deliver' && redirect.charged).toBe(PRICE);
    expect(store.events).toHaveLength(1);
  });

  it('does not charge on upstream 5xx or transport failure, and the same proof works again', async () => {
    const proof = payment(PRICE);
    const failed = await paywall.complete(ticketOf(await paywall.admit(request(proof))), { status: 503 });
    expect(failed.kind === 'deliver' && parseReceipt(failed.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 0n, cost: 0n },
    });
    const unreachable = await paywall.complete(ticketOf(await paywall.admit(request(proof))), {
      failure: 'unreachable',
    });
    expect(unreachable.kind === 'respond' && unreachable.response.status).toBe(502);
    const timeout = await paywall.complete(ticketOf(await paywall.admit(request(proof))), {
      failure: 'timeout',
    });
    expect(timeout.kind === 'respond' && timeout.response.status).toBe(504);
    expect(store.events).toHaveLength(0);
    expect(
      (await paywall.complete(ticketOf(await paywall.admit(request(proof))), { status: 200 })).kind,
    ).toBe('deliver');
  });

  it('holds an in-flight proof so a concurrent duplicate is stale and a competing one is judged above it', async () => {
    const first = ticketOf(await paywall.admit(request(payment(PRICE))));
    const duplicate = rejection(await paywall.admit(request(payment(PRICE))));
    expect(duplicate).toMatchObject({ status: 409, code: 'BALANCE_STALE' });
    // The receipt reports the committed balance, not the reservation.
    expect(parseReceipt(duplicate.response.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 0n, cost: 0n },
    });
    expect(rejection(await paywall.admit(request(payment(PRICE + 50n)))).code).toBe('INCREMENT_BELOW_PRICE');
    const next = ticketOf(await paywall.admit(request(payment(2n * PRICE))));
    await paywall.complete(first, { status: 200 });
    const done = await paywall.complete(next, { status: 200 });
    expect(done.kind === 'deliver' && done.charged).toBe(PRICE);
  });

  it('releases a failed reservation so the same proof can be admitted again', async () => {
    const first = ticketOf(await paywall.admit(request(payment(PRICE))));
    await paywall.complete(first, { status: 500 });
    expect((await paywall.admit(request(payment(PRICE)))).kind).toBe('paid');
  });

  it('answers BALANCE_STALE with the new balance when another replica accepted first', async () => {
    const ticket = ticketOf(await paywall.admit(request(payment(PRICE))));
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, acceptedBalance: 3n * PRICE });
    const done = await paywall.complete(ticket, { status: 200 });
    expect(done.kind).toBe('respond');
    if (done.kind !== 'respond') return;
    expect(done.response.status).toBe(409);
    expect(parseReceipt(done.response.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 3n * PRICE, cost: 0n },
    });
    expect(store.events).toHaveLength(0);
  });

  it('answers CHANNEL_CLOSING when the channel started closing during the upstream call', async () => {
    const ticket = ticketOf(await paywall.admit(request(payment(PRICE))));
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, state: 'closing' });
    const done = await paywall.complete(ticket, { status: 200 });
    expect(done.kind === 'respond' && done.response.headers['RDN-Error']).toBe('CHANNEL_CLOSING');
  });

  it('withholds the upstream response when the acceptance cannot be committed', async () => {
    const ticket = ticketOf(await paywall.admit(request(payment(PRICE))));
    store.failing = true;
    const done = await paywall.complete(ticket, { status: 200 });
    expect(done.kind === 'respond' && done.response.status).toBe(503);
    expect(paywall.inFlightChannels).toBe(0);
  });
});

describe('a returning sender (channel remembered by this replica)', () => {
  async function pay(balance: bigint) {
    const admission = await paywall.admit(request(payment(balance)));
    if (admission.kind !== 'paid') return admission;
    return paywall.complete(admission.ticket, { status: 200 });
  }

  it('is verified without reading the channel again', async () => {
    const reads = vi.spyOn(store, 'snapshot');
    expect((await pay(PRICE)).kind).toBe('deliver');
    expect((await pay(2n * PRICE)).kind).toBe('deliver');
    expect((await pay(3n * PRICE)).kind).toBe('deliver');
    expect(reads).toHaveBeenCalledTimes(1);
    expect(store.events).toHaveLength(3);
  });

  it('gets a top-up it has not seen: a refusal over the remembered deposit is judged again on the current row', async () => {
    await pay(PRICE);
    store.put({ channelId, sender, receiver, deposit: 20n * PRICE, acceptedBalance: PRICE });
    const done = await pay(15n * PRICE);
    expect(done.kind === 'deliver' && done.charged).toBe(14n * PRICE);
  });

  it('resyncs to the balance another replica accepted, from the current row, not the remembered one', async () => {
    await pay(PRICE);
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, acceptedBalance: 4n * PRICE });
    const stale = rejection(await paywall.admit(request(payment(PRICE))));
    expect(stale.code).toBe('BALANCE_STALE');
    expect(parseReceipt(stale.response.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 4n * PRICE, cost: 0n },
    });
    // A proof above both balances passes on the remembered row; the commit finds the newer one and charges from it.
    const done = await pay(6n * PRICE);
    expect(done.kind === 'deliver' && done.charged).toBe(2n * PRICE);
    expect((store.events.at(-1) as BalanceProofAcceptedV1).data.previousBalance).toBe(4n * PRICE);
  });

  it('is refused once the channel is closing, although this replica remembers it open', async () => {
    await pay(PRICE);
    store.put({
      channelId,
      sender,
      receiver,
      deposit: 10n * PRICE,
      acceptedBalance: PRICE,
      state: 'closing',
    });
    const done = await pay(2n * PRICE);
    expect(done.kind === 'respond' && done.response.headers['RDN-Error']).toBe('CHANNEL_CLOSING');
    expect(rejection(await paywall.admit(request(payment(3n * PRICE)))).code).toBe('CHANNEL_CLOSING');
    expect(store.events).toHaveLength(1);
  });

  it('gets the committed balance, not the remembered one, on a reply whose upstream failed (another replica moved it)', async () => {
    await pay(PRICE);
    store.put({ channelId, sender, receiver, deposit: 10n * PRICE, acceptedBalance: 2n * PRICE });
    const ticket = ticketOf(await paywall.admit(request(payment(3n * PRICE))));
    const done = await paywall.complete(ticket, { status: 404 });
    expect(done.kind === 'deliver' && parseReceipt(done.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 2n * PRICE, cost: 0n },
    });
    const timedOut = await paywall.complete(ticketOf(await paywall.admit(request(payment(3n * PRICE)))), {
      failure: 'timeout',
    });
    expect(timedOut.kind === 'respond' && parseReceipt(timedOut.response.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: 2n * PRICE, cost: 0n },
    });
  });

  it('answers 503 instead of guessing the balance when the row cannot be read after the upstream failed', async () => {
    const ticket = ticketOf(await paywall.admit(request(payment(PRICE))));
    store.failing = true;
    const done = await paywall.complete(ticket, { status: 404 });
    expect(done.kind === 'respond' && done.response.status).toBe(503);
  });

  it.each([
    ['closing', 'CHANNEL_CLOSING'],
    ['settled', 'CHANNEL_NOT_FOUND'],
  ] as const)(
    'gets %s channel refusals before the signature check, although this replica remembers it open',
    async (state, code) => {
      await pay(PRICE);
      store.put({ channelId, sender, receiver, deposit: 10n * PRICE, acceptedBalance: PRICE, state });
      const forged = signBalanceProof(`0x${'11'.repeat(32)}`, domain, {
        channelId,
        receiver,
        balance: 2n * PRICE,
      });
      const refused = rejection(
        await paywall.admit(request(payment(2n * PRICE, { 'RDN-Balance-Signature': forged }))),
      );
      expect(refused.code).toBe(code);
    },
  );

  it('is refused once closing also when the upstream failed (the refusal a fresh read would have given)', async () => {
    await pay(PRICE);
    const ticket = ticketOf(await paywall.admit(request(payment(2n * PRICE))));
    store.put({
      channelId,
      sender,
      receiver,
      deposit: 10n * PRICE,
      acceptedBalance: PRICE,
      state: 'closing',
    });
    const done = await paywall.complete(ticket, { status: 404 });
    expect(done.kind === 'respond' && done.response.headers['RDN-Error']).toBe('CHANNEL_CLOSING');
  });
});
