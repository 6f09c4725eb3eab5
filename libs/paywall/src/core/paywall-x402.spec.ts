// The x402 wire of the paywall (docs/protocol.md section 11): a PAYMENT-SIGNATURE is the same payment as the RDN-*
// headers, judged and accepted by the same code; only the answer's headers (and BALANCE_STALE's status) differ.
import {
  channelDomain,
  encodePayment,
  encodeX402Payment,
  parseReceipt,
  parseX402PaymentRequired,
  parseX402Response,
  privateKeyToAddress,
  recoverBalanceProofSigner,
  signBalanceProof,
  x402Requirements,
  type Address,
  type EncodedHeaders,
  type Hex32,
} from '@microraiden/protocol';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { Paywall, type Admission, type PaidTicket, type PaywallRequest } from './paywall';
import { RouteTable } from './route-table';
import { InMemoryChannelStore } from '../testing/in-memory-channel-store';

const SENDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const sender = privateKeyToAddress(SENDER_KEY);
const receiver = privateKeyToAddress('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = channelDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const token: Address = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const channelId = `0x${'ab'.repeat(32)}` as Hex32;
const PRICE = 100n;
const challenge = {
  gatewayPath: '/api/1',
  receiver,
  channelManager: domain.verifyingContract,
  token,
  price: PRICE,
  chainId: domain.chainId,
};

let store: InMemoryChannelStore;
let paywall: Paywall;

beforeEach(() => {
  store = new InMemoryChannelStore();
  store.put({ channelId, sender, receiver, deposit: 10n * PRICE });
  paywall = new Paywall({
    identity: { receiver, domain, token, gatewayPath: '/api/1' },
    routes: new RouteTable([
      { match: { exact: '/paid' }, rule: { kind: 'paid', prices: new Map([['GET', PRICE]]) } },
    ]),
    store,
    gatewayId: 'unit',
  });
});

function request(headers: Record<string, string>): PaywallRequest {
  return { method: 'GET', path: '/paid', query: '', headers, resourceUrl: 'http://localhost/paid' };
}

function proofOf(balance: bigint) {
  const signature = signBalanceProof(SENDER_KEY, domain, { channelId, receiver, balance });
  return { sender, channelId, balance, signature };
}

function x402Payment(balance: bigint): EncodedHeaders {
  return encodeX402Payment(x402Requirements(challenge), proofOf(balance));
}

function ticketOf(admission: Admission): PaidTicket {
  if (admission.kind !== 'paid') throw new Error(`expected a paid admission, got ${admission.kind}`);
  return admission.ticket;
}

function refusalOf(admission: Admission) {
  if (admission.kind !== 'respond') throw new Error(`expected a refusal, got ${admission.kind}`);
  return admission.response;
}

async function payAndServe(balance: bigint, status = 200) {
  const ticket = ticketOf(await paywall.admit(request(x402Payment(balance))));
  return paywall.complete(ticket, { status });
}

describe('Paywall over x402 (PAYMENT-SIGNATURE)', () => {
  it('admits exactly the payment the RDN-* headers carry', async () => {
    const x402 = ticketOf(await paywall.admit(request(x402Payment(PRICE))));
    const rdnHeaders = encodePayment({
      ...proofOf(PRICE),
      receiver,
      channelManager: domain.verifyingContract,
      chainId: domain.chainId,
    });
    await paywall.complete(x402, { status: 500 }); // releases its reservation
    const rdn = ticketOf(await paywall.admit(request(rdnHeaders)));
    expect(x402.payment).toEqual(rdn.payment);
    expect([x402.wire, rdn.wire]).toEqual(['x402', 'rdn']);
  });

  it('charges on success and answers PAYMENT-RESPONSE with the receipt next to the RDN-* one', async () => {
    const done = await payAndServe(PRICE);
    if (done.kind !== 'deliver') throw new Error('not delivered');
    expect(done.charged).toBe(PRICE);
    expect(parseReceipt(done.headers)).toEqual({
      ok: true,
      value: { channelId, senderBalance: PRICE, cost: PRICE },
    });
    expect(parseX402Response(done.headers)).toEqual({
      ok: true,
      value: {
        success: true,
        payer: sender,
        transaction: '',
        network: 31337n,
        amount: PRICE,
        extra: { channelId, senderBalance: PRICE, cost: PRICE },
      },
    });
    expect((await store.snapshot(channelId))?.acceptedBalance).toBe(PRICE);
  });

  it('does not charge a failed upstream and says NOT_CHARGED', async () => {
    const done = await payAndServe(PRICE, 500);
    expect(done.kind === 'deliver' && done.charged).toBe(0n);
    const response = done.kind === 'deliver' ? parseX402Response(done.headers) : undefined;
    expect(response).toMatchObject({
      ok: true,
      value: { success: false, errorReason: 'NOT_CHARGED', amount: 0n, payer: sender },
    });
  });

  it('answers a stale proof with a corrective 402 carrying the committed balance and its signature', async () => {
    await payAndServe(PRICE);
    await payAndServe(2n * PRICE);
    const refused = refusalOf(await paywall.admit(request(x402Payment(PRICE))));
    expect(refused.status).toBe(402);
    expect(refused.headers['RDN-Error']).toBe('BALANCE_STALE');
    const required = parseX402PaymentRequired(refused.headers);
    if (!required.ok) throw required.error;
    expect(required.value.error).toBe('BALANCE_STALE');
    const { channel } = required.value;
    expect(channel).toEqual({ ...proofOf(2n * PRICE) });
    const recovered = recoverBalanceProofSigner(
      domain,
      { channelId, receiver, balance: channel?.balance ?? 0n },
      channel?.signature as `0x${string}`,
    );
    expect(recovered).toEqual({ ok: true, value: sender });
    // No PAYMENT-RESPONSE on a 402: @x402/fetch would read it and never hand the hook this requirement.
    expect(refused.headers['PAYMENT-RESPONSE']).toBeUndefined();
    expect(refused.headers['RDN-Sender-Balance']).toBe(String(2n * PRICE));
    // The client re-syncs from it alone: balance + amount is accepted.
    const resynced = await payAndServe((channel?.balance ?? 0n) + required.value.challenge.price);
    expect(resynced.kind === 'deliver' && resynced.charged).toBe(PRICE);
  });

  it('keeps 409 and no PAYMENT-REQUIRED for the same stale proof over RDN-* headers', async () => {
    await payAndServe(PRICE);
    const rdn = encodePayment(proofOf(PRICE));
    const refused = refusalOf(await paywall.admit(request(rdn)));
    expect(refused.status).toBe(409);
    expect(refused.headers['PAYMENT-REQUIRED']).toBeUndefined();
    expect(refused.headers['PAYMENT-RESPONSE']).toBeUndefined();
  });

  it('names no payer and gives no channel state before the signature verified', async () => {
    const forged = { ...proofOf(PRICE), signature: proofOf(2n * PRICE).signature };
    const refused = refusalOf(
      await paywall.admit(request(encodeX402Payment(x402Requirements(challenge), forged))),
    );
    expect(refused.headers['RDN-Error']).toBe('INVALID_SIGNATURE');
    const required = parseX402PaymentRequired(refused.headers);
    expect(required.ok && required.value.channel).toBeUndefined();
    expect(required.ok && required.value.error).toBe('INVALID_SIGNATURE');
    expect(refused.headers['PAYMENT-RESPONSE']).toBeUndefined();
  });

  it('refuses PAYMENT-SIGNATURE together with RDN-* payment headers as PAYMENT_MALFORMED', async () => {
    const both = { ...x402Payment(PRICE), ...encodePayment(proofOf(PRICE)) };
    const refused = refusalOf(await paywall.admit(request(both)));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: {
        code: 'PAYMENT_MALFORMED',
        details: { header: 'PAYMENT-SIGNATURE', reason: 'sent together with RDN-* payment headers' },
      },
    });
    expect(parseX402Response(refused.headers)).toMatchObject({
      ok: true,
      value: { success: false, errorReason: 'PAYMENT_MALFORMED', network: 31337n },
    });
  });

  it('answers 503 with PAYMENT-RESPONSE when the database is down, never charging', async () => {
    store.failing = true;
    const refused = refusalOf(await paywall.admit(request(x402Payment(PRICE))));
    expect(refused.status).toBe(503);
    const response = parseX402Response(refused.headers);
    expect(response.ok && response.value?.errorReason).toBe('GATEWAY_UNAVAILABLE');
  });

  it('answers any PAYMENT-SIGNATURE value with a 4xx, malformed ones 400 in the x402 shape (fuzz)', async () => {
    const valid = JSON.parse(
      Buffer.from(x402Payment(PRICE)['PAYMENT-SIGNATURE'] as string, 'base64').toString('utf8'),
    ) as Record<string, Record<string, unknown>>;
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'undefined').toString('base64');
    // Valid payloads with one field replaced by any JSON value: wrong types, wrong formats, missing fields.
    const mutated = fc
      .record({
        part: fc.constantFrom('accepted', 'payload', 'top'),
        key: fc.constantFrom(
          'x402Version',
          'scheme',
          'network',
          'payTo',
          'extra',
          'sender',
          'channelId',
          'balance',
          'signature',
          'accepted',
          'payload',
        ),
        value: fc.jsonValue(),
      })
      .map(({ part, key, value }) => {
        const copy = structuredClone(valid);
        const target = part === 'top' ? (copy as Record<string, unknown>) : (copy[part] ?? {});
        target[key] = value;
        return b64(copy);
      });
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.base64String({ maxLength: 400 }),
      fc.jsonValue().map(b64),
      mutated,
      fc.string({ minLength: 8000, maxLength: 9000 }),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const admission = await paywall.admit(request({ 'PAYMENT-SIGNATURE': value }));
        if (admission.kind !== 'respond') return; // a mutation that is still a valid payment
        const { status, headers } = admission.response;
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
        // A 402 says why in PAYMENT-REQUIRED's error, any other refusal in PAYMENT-RESPONSE (docs/protocol.md 11.6).
        if (status === 402) {
          const required = parseX402PaymentRequired(headers);
          expect(required.ok && required.value.error).toBe(headers['RDN-Error']);
          expect(headers['PAYMENT-RESPONSE']).toBeUndefined();
          return;
        }
        const response = parseX402Response(headers);
        expect(response.ok && response.value?.success).toBe(false);
        if (status === 400) {
          expect(headers['RDN-Error']).toBe('PAYMENT_MALFORMED');
          expect(response.ok && response.value?.errorReason).toBe('PAYMENT_MALFORMED');
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('names the token as people read it in the requirement when the identity knows it', async () => {
    const token = { symbol: 'MTK', decimals: 18 };
    const named = new Paywall({
      identity: { receiver, domain, token: challenge.token, gatewayPath: '/api/1', tokenInfo: token },
      routes: new RouteTable([
        { match: { exact: '/paid' }, rule: { kind: 'paid', prices: new Map([['GET', PRICE]]) } },
      ]),
      store,
      gatewayId: 'unit',
    });
    const unpaid = refusalOf(await named.admit(request({})));
    const required = parseX402PaymentRequired(unpaid.headers);
    expect(required.ok && required.value.token).toEqual(token);
    const plain = parseX402PaymentRequired(refusalOf(await paywall.admit(request({}))).headers);
    expect(plain.ok && plain.value.token).toBeUndefined();
  });
});
