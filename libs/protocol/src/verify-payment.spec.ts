import { describe, expect, it } from 'vitest';
import type { Hex } from './hex';
import { loadNativeBackend, nobleBackend, type Secp256k1Backend } from './secp256k1-backend';
import { SECP256K1_N } from './signature';
import {
  aChannelId,
  aChannelView,
  aPayment,
  aVerifyInput,
  CHAIN_ID,
  CHANNEL_MANAGER,
  PRICE,
  RECEIVER,
  SENDER,
  STRANGER_KEY,
} from './test/builders';
import { verifyPayment, type VerifyPaymentInput } from './verify-payment';

const STRANGER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const OTHER_CONTRACT = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

function codeOf(input: VerifyPaymentInput): string {
  const decision = verifyPayment(input);
  return decision.accepted ? 'ACCEPTED' : decision.error.code;
}

const native = loadNativeBackend();
const backends: Array<[string, Secp256k1Backend]> = [['noble', nobleBackend]];
if (native !== undefined) backends.push(['native', native]);

describe.each(backends)('verifyPayment (%s backend)', (_name, backend) => {
  it('accepts the next proof and returns the increment and canonical signature', () => {
    const payment = aPayment({ balance: 3n * PRICE });
    const decision = verifyPayment(aVerifyInput({ payment, backend }));
    expect(decision).toEqual({
      accepted: true,
      increment: PRICE,
      authorised: PRICE,
      balance: 3n * PRICE,
      signature: payment.signature,
    });
  });

  it('accepts an overpayment and charges the whole increment', () => {
    const decision = verifyPayment(aVerifyInput({ payment: aPayment({ balance: 5n * PRICE }), backend }));
    expect(decision.accepted && decision.increment).toBe(3n * PRICE);
  });

  it('accepts the first proof on a fresh channel and a balance equal to the deposit', () => {
    const input = aVerifyInput({
      payment: aPayment({ balance: 10n * PRICE }),
      lastAcceptedBalance: 0n,
      backend,
    });
    expect(codeOf(input)).toBe('ACCEPTED');
  });

  it('returns the v = 27/28 form of a v = 0/1 signature, the one the contract accepts', () => {
    const payment = aPayment();
    const v01 = `${payment.signature.slice(0, 130)}${payment.signature.endsWith('1b') ? '00' : '01'}` as Hex;
    const decision = verifyPayment(aVerifyInput({ payment: { ...payment, signature: v01 }, backend }));
    expect(decision.accepted && decision.signature).toBe(payment.signature);
  });

  // One row per rejection: the input that provokes it, and the code and status it must produce.
  const REJECTIONS: Array<[string, () => VerifyPaymentInput, string, number]> = [
    [
      'echoed chain id differs',
      () => aVerifyInput({ payment: { ...aPayment(), chainId: 1n } }),
      'WRONG_CHAIN',
      402,
    ],
    [
      'echoed contract differs',
      () => aVerifyInput({ payment: { ...aPayment(), channelManager: OTHER_CONTRACT } }),
      'WRONG_CONTRACT',
      402,
    ],
    [
      'echoed receiver differs',
      () => aVerifyInput({ payment: { ...aPayment(), receiver: STRANGER } }),
      'WRONG_RECEIVER',
      402,
    ],
    ['unknown channel', () => aVerifyInput({ channel: undefined }), 'CHANNEL_NOT_FOUND', 402],
    [
      'channel of another receiver',
      () => aVerifyInput({ channel: aChannelView({ receiver: STRANGER }) }),
      'WRONG_RECEIVER',
      402,
    ],
    [
      'sender header not the channel sender',
      () => aVerifyInput({ channel: aChannelView({ sender: STRANGER }) }),
      'SENDER_MISMATCH',
      402,
    ],
    [
      'channel closing',
      () => aVerifyInput({ channel: aChannelView({ state: 'closing' }) }),
      'CHANNEL_CLOSING',
      402,
    ],
    [
      'too few confirmations',
      () => aVerifyInput({ channel: aChannelView({ confirmations: 4 }) }),
      'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      402,
    ],
    [
      'balance above the confirmed deposit but within an unconfirmed top-up',
      () =>
        aVerifyInput({
          payment: aPayment({ balance: 10n * PRICE + 1n }),
          channel: aChannelView({ unconfirmedDeposit: 20n * PRICE }),
        }),
      'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
      402,
    ],
    [
      'balance above deposit and above the unconfirmed top-up',
      () =>
        aVerifyInput({
          payment: aPayment({ balance: 20n * PRICE + 1n }),
          channel: aChannelView({ unconfirmedDeposit: 20n * PRICE }),
        }),
      'BALANCE_EXCEEDS_DEPOSIT',
      402,
    ],
    [
      'balance above deposit',
      () => aVerifyInput({ payment: aPayment({ balance: 10n * PRICE + 1n }) }),
      'BALANCE_EXCEEDS_DEPOSIT',
      402,
    ],
    [
      'signed by a stranger',
      () => aVerifyInput({ payment: { ...aPayment({ key: STRANGER_KEY }), sender: SENDER } }),
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'signature for another balance',
      () => aVerifyInput({ payment: { ...aPayment({ balance: 4n * PRICE }), balance: 3n * PRICE } }),
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'signed for another receiver',
      () => aVerifyInput({ payment: aPayment({ receiver: STRANGER }) }),
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'signed for another channel',
      () =>
        aVerifyInput({ payment: { ...aPayment({ channelId: aChannelId(1n) }), channelId: aChannelId() } }),
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'high-s twin of a valid signature',
      () => {
        const p = aPayment();
        const s = BigInt(`0x${p.signature.slice(66, 130)}`);
        const v = p.signature.endsWith('1b') ? '1c' : '1b';
        const twin =
          `${p.signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${v}` as Hex;
        return aVerifyInput({ payment: { ...p, signature: twin } });
      },
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'v = 29',
      () =>
        aVerifyInput({
          payment: { ...aPayment(), signature: `${aPayment().signature.slice(0, 130)}1d` as Hex },
        }),
      'INVALID_SIGNATURE',
      402,
    ],
    [
      'balance equal to the last accepted (replay)',
      () => aVerifyInput({ lastAcceptedBalance: 3n * PRICE }),
      'BALANCE_STALE',
      409,
    ],
    [
      'balance below the last accepted',
      () => aVerifyInput({ lastAcceptedBalance: 4n * PRICE }),
      'BALANCE_STALE',
      409,
    ],
    [
      'increment below the price',
      () => aVerifyInput({ lastAcceptedBalance: 3n * PRICE - 1n }),
      'INCREMENT_BELOW_PRICE',
      402,
    ],
  ];

  it.each(REJECTIONS)('rejects: %s', (_case, build, code, status) => {
    const decision = verifyPayment({ ...build(), backend });
    expect(decision.accepted).toBe(false);
    if (decision.accepted) return;
    expect(decision.error.code).toBe(code);
    expect(decision.error.httpStatus).toBe(status);
  });

  it('checks public facts before the signature: a closing channel with a forged proof is CHANNEL_CLOSING', () => {
    const forged = { ...aPayment({ key: STRANGER_KEY }), sender: SENDER };
    expect(
      codeOf(aVerifyInput({ payment: forged, channel: aChannelView({ state: 'closing' }), backend })),
    ).toBe('CHANNEL_CLOSING');
    expect(codeOf(aVerifyInput({ payment: { ...forged, chainId: 5n }, backend }))).toBe('WRONG_CHAIN');
  });

  it('checks the signature before the private balance: a forged stale proof learns nothing about it', () => {
    const forged = { ...aPayment({ key: STRANGER_KEY, balance: PRICE }), sender: SENDER };
    expect(codeOf(aVerifyInput({ payment: forged, lastAcceptedBalance: 2n * PRICE, backend }))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('reports details a client can act on, without secrets', () => {
    const stale = verifyPayment(aVerifyInput({ lastAcceptedBalance: 3n * PRICE, backend }));
    expect(!stale.accepted && stale.error.details).toEqual({
      balance: '3000000000000000',
      lastAccepted: '3000000000000000',
    });
    const low = verifyPayment(aVerifyInput({ lastAcceptedBalance: 3n * PRICE - 1n, backend }));
    expect(!low.accepted && low.error.details).toEqual({
      increment: '1',
      price: PRICE.toString(),
      lastAccepted: '2999999999999999',
    });
    const chain = verifyPayment(aVerifyInput({ payment: { ...aPayment(), chainId: 1n }, backend }));
    expect(!chain.accepted && chain.error.details).toEqual({ expected: CHAIN_ID.toString(), received: '1' });
  });

  describe('against a charged balance below the signed one (metered prices)', () => {
    // Signed 2 PRICE so far, of which PRICE + 1 was charged: PRICE - 1 of the last ceiling went unused.
    const metered = (balance: bigint) =>
      aVerifyInput({
        payment: aPayment({ balance }),
        lastAcceptedBalance: 2n * PRICE,
        chargedBalance: PRICE + 1n,
        backend,
      });

    it('accepts max(S + 1, C + price) and authorises balance - C', () => {
      const decision = verifyPayment(metered(2n * PRICE + 1n));
      expect(decision).toMatchObject({ accepted: true, increment: 1n, authorised: PRICE });
    });

    it('refuses C + price - 1 as INCREMENT_BELOW_PRICE with the charged balance in the details', () => {
      const decision = verifyPayment(metered(2n * PRICE));
      // Equal to S: staleness is judged on the signed balance first.
      expect(!decision.accepted && decision.error.code).toBe('BALANCE_STALE');
      const low = verifyPayment({ ...metered(2n * PRICE + 1n), price: PRICE + 1n });
      expect(!low.accepted && low.error.details).toEqual({
        increment: PRICE.toString(),
        price: (PRICE + 1n).toString(),
        lastAccepted: (2n * PRICE).toString(),
        chargedBalance: (PRICE + 1n).toString(),
      });
    });

    it('is the fixed-price rule when the charged balance equals the signed one', () => {
      const input = aVerifyInput({ lastAcceptedBalance: 2n * PRICE, backend });
      expect(verifyPayment({ ...input, chargedBalance: 2n * PRICE })).toEqual(verifyPayment(input));
    });
  });

  describe('on a channel with a balance signer (session key)', () => {
    const signerPayment = (balance = 3n * PRICE) => ({
      ...aPayment({ key: STRANGER_KEY, balance }),
      sender: SENDER,
    });
    const withSigner = aChannelView({ signer: STRANGER });

    it('accepts a proof the balance signer signed, naming the channel sender', () => {
      const payment = signerPayment();
      const decision = verifyPayment(aVerifyInput({ payment, channel: withSigner, backend }));
      expect(decision).toMatchObject({ accepted: true, increment: PRICE, signature: payment.signature });
    });

    it("still accepts the sender's own proof", () => {
      expect(codeOf(aVerifyInput({ channel: withSigner, backend }))).toBe('ACCEPTED');
    });

    it('refuses as INVALID_SIGNATURE a key that is neither the sender nor the signer', () => {
      const other = aChannelView({ signer: OTHER_CONTRACT });
      const decision = verifyPayment(aVerifyInput({ payment: signerPayment(), channel: other, backend }));
      expect(!decision.accepted && decision.error.code).toBe('INVALID_SIGNATURE');
      expect(!decision.accepted && decision.error.details).toEqual({
        reason: 'not signed by the channel sender or its balance signer',
      });
    });

    it("refuses the signer's proof on a channel without one", () => {
      expect(codeOf(aVerifyInput({ payment: signerPayment(), backend }))).toBe('INVALID_SIGNATURE');
    });

    it("repairs a flipped v of the signer's proof like the sender's", () => {
      const payment = signerPayment();
      const flipped =
        `${payment.signature.slice(0, 130)}${payment.signature.endsWith('1b') ? '1c' : '1b'}` as Hex;
      const decision = verifyPayment(
        aVerifyInput({ payment: { ...payment, signature: flipped }, channel: withSigner, backend }),
      );
      expect(decision).toMatchObject({ accepted: true, signature: payment.signature });
    });
  });

  it('accepts matching echoes in any letter case', () => {
    const payment = {
      ...aPayment(),
      chainId: CHAIN_ID,
      channelManager: CHANNEL_MANAGER.toLowerCase(),
      receiver: RECEIVER.toLowerCase(),
    };
    expect(codeOf(aVerifyInput({ payment: payment as never, backend }))).toBe('ACCEPTED');
  });
});
