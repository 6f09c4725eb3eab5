import { describe, expect, it } from 'vitest';
import {
  closeRequestPath,
  decideClose,
  encodeCloseRequestBody,
  encodeCloseResponse,
  parseCloseRequest,
  parseCloseResponse,
  type CloseDecisionInput,
} from './close-request';
import { recoverClosingProofSigner } from './recover-signer';
import { signClosingProof } from './sign-proof';
import {
  aChannelId,
  aChannelView,
  aDomain,
  aGateway,
  aPayment,
  PRICE,
  RECEIVER,
  RECEIVER_KEY,
  SENDER,
  STRANGER_KEY,
  thrownCode,
} from './test/builders';

const STRANGER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function aCloseInput(overrides: Partial<CloseDecisionInput> = {}, balance = 3n * PRICE): CloseDecisionInput {
  const paid = aPayment({ balance });
  return {
    request: { sender: SENDER, channelId: paid.channelId, balance, balanceSignature: paid.signature },
    gateway: aGateway(),
    channel: aChannelView(),
    lastAcceptedBalance: 3n * PRICE,
    ...overrides,
  };
}

describe('close request', () => {
  it('builds the DELETE path under the gateway path', () => {
    expect(closeRequestPath('/api/1', SENDER, aChannelId())).toBe(
      `/api/1/channels/${SENDER}/${aChannelId()}`,
    );
    expect(closeRequestPath('/api/1/', SENDER.toLowerCase() as never, aChannelId())).toBe(
      `/api/1/channels/${SENDER}/${aChannelId()}`,
    );
    expect(thrownCode(() => closeRequestPath('api', SENDER, aChannelId()))).toBe('INVALID_ARGUMENT');
  });

  it('parses path parameters plus body and round-trips the body encoder', () => {
    const paid = aPayment();
    const body = encodeCloseRequestBody({ balance: paid.balance, balanceSignature: paid.signature });
    expect(body).toEqual({ balance: '3000000000000000', balanceSignature: paid.signature });
    expect(parseCloseRequest({ sender: SENDER.toLowerCase(), channelId: paid.channelId, ...body })).toEqual({
      ok: true,
      value: {
        sender: SENDER,
        channelId: paid.channelId,
        balance: paid.balance,
        balanceSignature: paid.signature,
      },
    });
  });

  it.each([
    [{ sender: undefined }, 'sender', 'missing'],
    [{ sender: '0x12' }, 'sender', 'not 0x followed by 40 hex digits'],
    [{ channelId: 'abc' }, 'channelId', 'not 0x followed by 64 hex digits'],
    [{ balance: undefined }, 'balance', 'missing'],
    [{ balance: 5 }, 'balance', 'not a short string'],
    [{ balance: '1e3' }, 'balance', 'not a canonical base-10 unsigned integer'],
    [{ balanceSignature: '' }, 'balanceSignature', 'missing'],
    [{ balanceSignature: ['0x00'] }, 'balanceSignature', 'not a short string'],
  ])('refuses %j as PAYMENT_MALFORMED', (override, fieldName, reason) => {
    const paid = aPayment();
    const result = parseCloseRequest({
      sender: SENDER,
      channelId: paid.channelId,
      balance: '1',
      balanceSignature: paid.signature,
      ...override,
    });
    expect(!result.ok && result.error.code).toBe('PAYMENT_MALFORMED');
    expect(!result.ok && result.error.details).toEqual({ field: fieldName, reason });
  });

  it('approves the last accepted balance proven by the sender, and the signed closing proof verifies', () => {
    const decision = decideClose(aCloseInput());
    expect(decision).toEqual({
      approved: true,
      proof: { channelId: aChannelId(), sender: SENDER, balance: 3n * PRICE },
    });
    if (!decision.approved) return;
    const closingSignature = signClosingProof(RECEIVER_KEY, aDomain(), decision.proof);
    expect(recoverClosingProofSigner(aDomain(), decision.proof, closingSignature)).toEqual({
      ok: true,
      value: RECEIVER,
    });
  });

  it('approves on a channel already closing on chain (cooperativeClose still works then)', () => {
    expect(decideClose(aCloseInput({ channel: aChannelView({ state: 'closing' }) })).approved).toBe(true);
  });

  it.each([
    ['unknown channel', aCloseInput({ channel: undefined }), 'CHANNEL_NOT_FOUND'],
    [
      'channel of another receiver',
      aCloseInput({ channel: aChannelView({ receiver: STRANGER }) }),
      'WRONG_RECEIVER',
    ],
    [
      'requester not the channel sender',
      aCloseInput({ channel: aChannelView({ sender: STRANGER }) }),
      'SENDER_MISMATCH',
    ],
    ['balance below the last accepted', aCloseInput({}, 2n * PRICE), 'CLOSE_BALANCE_MISMATCH'],
    ['balance above the last accepted', aCloseInput({}, 4n * PRICE), 'CLOSE_BALANCE_MISMATCH'],
    [
      'signature by a stranger',
      (() => {
        const input = aCloseInput();
        const forged = aPayment({ key: STRANGER_KEY }).signature;
        return { ...input, request: { ...input.request, balanceSignature: forged } };
      })(),
      'INVALID_SIGNATURE',
    ],
  ])('refuses: %s', (_name, input, code) => {
    const decision = decideClose(input);
    expect(!decision.approved && decision.error.code).toBe(code);
  });

  it("approves a close proven by the channel's balance signer (session key), and only on its channel", () => {
    const input = aCloseInput();
    const bySigner = aPayment({ key: STRANGER_KEY }).signature;
    const request = { ...input.request, balanceSignature: bySigner };
    const withSigner = decideClose({ ...input, request, channel: aChannelView({ signer: STRANGER }) });
    expect(withSigner).toEqual({
      approved: true,
      proof: { channelId: aChannelId(), sender: SENDER, balance: 3n * PRICE },
    });
    const without = decideClose({ ...input, request });
    expect(!without.approved && without.error.code).toBe('INVALID_SIGNATURE');
  });

  it('expects the charged balance on a metered channel and says it when refusing another', () => {
    const metered = { lastAcceptedBalance: 3n * PRICE, chargedBalance: 2n * PRICE + 1n };
    const atCharged = decideClose(aCloseInput(metered, 2n * PRICE + 1n));
    expect(atCharged.approved && atCharged.proof.balance).toBe(2n * PRICE + 1n);
    const atSigned = decideClose(aCloseInput(metered, 3n * PRICE));
    expect(!atSigned.approved && atSigned.error.code).toBe('CLOSE_BALANCE_MISMATCH');
    expect(!atSigned.approved && atSigned.error.details).toEqual({ expected: (2n * PRICE + 1n).toString() });
  });

  it('checks the signature before the balance, so a stranger cannot probe the balance', () => {
    const input = aCloseInput({}, 2n * PRICE);
    const forged = aPayment({ key: STRANGER_KEY, balance: 2n * PRICE }).signature;
    const decision = decideClose({ ...input, request: { ...input.request, balanceSignature: forged } });
    expect(!decision.approved && decision.error.code).toBe('INVALID_SIGNATURE');
  });

  it('encodes and parses the close response', () => {
    const response = {
      channelId: aChannelId(),
      sender: SENDER,
      receiver: RECEIVER,
      balance: 3n * PRICE,
      closingSignature: aPayment().signature,
    };
    const json = JSON.parse(JSON.stringify(encodeCloseResponse(response)));
    expect(json.balance).toBe('3000000000000000');
    expect(parseCloseResponse(json)).toEqual({ ok: true, value: response });
    for (const bad of [
      null,
      'x',
      { ...json, balance: 3 },
      { ...json, sender: '0x1' },
      { ...json, closingSignature: undefined },
    ]) {
      const result = parseCloseResponse(bad);
      expect(!result.ok && result.error.code).toBe('RESPONSE_MALFORMED');
    }
  });
});
