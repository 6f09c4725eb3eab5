import { describe, expect, it } from 'vitest';
import { encodeReceipt, parseReceipt } from './receipt-headers';
import { aChannelId, thrownCode } from './test/builders';

const receipt = {
  channelId: aChannelId(),
  senderBalance: 3_000_000_000_000_000n,
  cost: 1_000_000_000_000_000n,
};

describe('receipt headers', () => {
  it('encodes RDN-Channel-Id, RDN-Sender-Balance and RDN-Cost', () => {
    expect(encodeReceipt(receipt)).toEqual({
      'RDN-Channel-Id': aChannelId(),
      'RDN-Sender-Balance': '3000000000000000',
      'RDN-Cost': '1000000000000000',
    });
  });

  it('round-trips, including cost 0 (nothing charged)', () => {
    expect(parseReceipt(encodeReceipt(receipt))).toEqual({ ok: true, value: receipt });
    const free = { ...receipt, cost: 0n };
    expect(parseReceipt(encodeReceipt(free))).toEqual({ ok: true, value: free });
  });

  it('sends RDN-Charged-Balance only when the charged balance differs from the sender balance', () => {
    const metered = { ...receipt, chargedBalance: 2_000_000_000_000_000n };
    expect(encodeReceipt(metered)).toEqual({
      'RDN-Channel-Id': aChannelId(),
      'RDN-Sender-Balance': '3000000000000000',
      'RDN-Cost': '1000000000000000',
      'RDN-Charged-Balance': '2000000000000000',
    });
    expect(parseReceipt(encodeReceipt(metered))).toEqual({ ok: true, value: metered });
    expect(encodeReceipt({ ...receipt, chargedBalance: receipt.senderBalance })).toEqual(
      encodeReceipt(receipt),
    );
    const equal = { ...encodeReceipt(receipt), 'RDN-Charged-Balance': '3000000000000000' };
    expect(parseReceipt(equal)).toEqual({ ok: true, value: receipt });
  });

  it('is undefined, not an error, when a response carries no receipt', () => {
    expect(parseReceipt({ 'content-type': 'text/plain' })).toEqual({ ok: true, value: undefined });
  });

  it.each([
    [{ 'RDN-Sender-Balance': '5', 'RDN-Cost': '1' }, 'RDN-Channel-Id', 'missing'],
    [{ 'RDN-Channel-Id': aChannelId(), 'RDN-Cost': '1' }, 'RDN-Sender-Balance', 'missing'],
    [{ 'RDN-Channel-Id': aChannelId(), 'RDN-Sender-Balance': '5' }, 'RDN-Cost', 'missing'],
    [
      { 'RDN-Channel-Id': aChannelId(), 'RDN-Sender-Balance': '5', 'RDN-Cost': '6' },
      'RDN-Cost',
      'exceeds RDN-Sender-Balance',
    ],
    [
      { 'RDN-Channel-Id': aChannelId(), 'RDN-Sender-Balance': '-5', 'RDN-Cost': '0' },
      'RDN-Sender-Balance',
      'not a canonical base-10 unsigned integer',
    ],
    [
      { 'RDN-Channel-Id': '0x12', 'RDN-Sender-Balance': '5', 'RDN-Cost': '0' },
      'RDN-Channel-Id',
      'not 0x followed by 64 hex digits',
    ],
    [
      {
        'RDN-Channel-Id': aChannelId(),
        'RDN-Sender-Balance': '5',
        'RDN-Cost': '1',
        'RDN-Charged-Balance': '6',
      },
      'RDN-Charged-Balance',
      'exceeds RDN-Sender-Balance',
    ],
    [
      {
        'RDN-Channel-Id': aChannelId(),
        'RDN-Sender-Balance': '5',
        'RDN-Cost': '4',
        'RDN-Charged-Balance': '3',
      },
      'RDN-Cost',
      'exceeds RDN-Charged-Balance',
    ],
  ])('%j is RESPONSE_MALFORMED at %s', (headers, header, reason) => {
    const result = parseReceipt(headers);
    expect(!result.ok && result.error.code).toBe('RESPONSE_MALFORMED');
    expect(!result.ok && result.error.details).toEqual({ header, reason });
  });

  it('encode refuses a cost above the balance and negative amounts', () => {
    expect(thrownCode(() => encodeReceipt({ ...receipt, cost: receipt.senderBalance + 1n }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrownCode(() => encodeReceipt({ ...receipt, senderBalance: -1n }))).toBe('INVALID_ARGUMENT');
    const over = { ...receipt, chargedBalance: receipt.senderBalance + 1n };
    expect(thrownCode(() => encodeReceipt(over))).toBe('INVALID_ARGUMENT');
    expect(thrownCode(() => encodeReceipt({ ...receipt, chargedBalance: receipt.cost - 1n }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
