import { parsePayment } from '@microraiden/protocol';
import { describe, expect, it } from 'vitest';
import { paymentHeaders, readReceipt } from './payment-headers';
import type { PageChallenge } from './typed-data';

const challenge: PageChallenge = {
  price: 1_000n,
  chainId: 31337n,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  receiver: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  channelManager: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  gatewayPath: '/api/1',
};
const sender = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const channelId = `0x${'AB'.repeat(32)}` as const;
const signature = `0x${'11'.repeat(64)}1b`;

describe('the payment headers the page sends', () => {
  it('are what the gateway parses (section 5.2, echoes included)', () => {
    const headers = new Headers(paymentHeaders(challenge, sender, channelId, 5_000n, signature));
    const parsed = parsePayment(headers);
    expect(parsed).toMatchObject({
      ok: true,
      value: { sender, channelId: channelId.toLowerCase(), balance: 5_000n, receiver: challenge.receiver },
    });
    expect(headers.get('RDN-Channel-Id')).toBe(channelId.toLowerCase());
    expect(headers.get('RDN-Chain-Id')).toBe('31337');
  });

  it('reads a receipt, and nothing from a malformed one', () => {
    const ok = new Headers({
      'RDN-Channel-Id': channelId,
      'RDN-Sender-Balance': ' 5000 ',
      'RDN-Cost': '1000',
    });
    expect(readReceipt(ok)).toEqual({ channelId: channelId.toLowerCase(), balance: 5_000n, cost: 1_000n });
    expect(
      readReceipt(new Headers({ 'RDN-Channel-Id': channelId, 'RDN-Sender-Balance': '1.5', 'RDN-Cost': '0' })),
    ).toBeUndefined();
    expect(readReceipt(new Headers({ 'RDN-Cost': '0' }))).toBeUndefined();
  });
});
