import { describe, expect, it } from 'vitest';
import type { HeaderBag } from './header-bag';
import { encodePayment, parsePayment, type Payment } from './payment-headers';
import { SECP256K1_N } from './signature';
import { UINT256_MAX } from './uint256';
import {
  aPayment,
  CHAIN_ID,
  CHANNEL_MANAGER,
  propertySeed,
  RECEIVER,
  SENDER,
  seededRandom,
  thrownCode,
} from './test/builders';

const payment = aPayment();
const valid: Record<string, string> = encodePayment(payment);

function withHeader(name: string, value: string | string[] | undefined | number): HeaderBag {
  const headers: Record<string, unknown> = { ...valid };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return headers as HeaderBag;
}

const HEX40 = SENDER.slice(2);

function highS(signature: string): Payment['signature'] {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = signature.endsWith('1b') ? '1c' : '1b';
  return `${signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${v}` as Payment['signature'];
}
const SIG = payment.signature;

// Every way a field can be wrong, with the reason the parser must give. One row per case.
const MALFORMED: Array<[header: string, value: string | string[] | undefined | number, reason: string]> = [
  // RDN-Sender-Address
  ['RDN-Sender-Address', undefined, 'missing'],
  ['RDN-Sender-Address', '', 'empty'],
  ['RDN-Sender-Address', ' \t ', 'empty'],
  ['RDN-Sender-Address', 'hello', 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', `0x${HEX40.slice(1)}`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', `0x${HEX40}0`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', HEX40, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', `0X${HEX40}`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', `0x${HEX40.slice(0, 39)}g`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', `-0x${HEX40}`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', '0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266', 'bad EIP-55 checksum'],
  ['RDN-Sender-Address', `0x${'0'.repeat(40)}`, 'zero address'],
  ['RDN-Sender-Address', `0x${'a'.repeat(2000)}`, 'too long'],
  ['RDN-Sender-Address', [SENDER, RECEIVER], 'repeated with different values'],
  ['RDN-Sender-Address', `${SENDER}, ${SENDER}`, 'not 0x followed by 40 hex digits'],
  ['RDN-Sender-Address', 42, 'not text'],
  // RDN-Channel-Id
  ['RDN-Channel-Id', undefined, 'missing'],
  ['RDN-Channel-Id', '', 'empty'],
  ['RDN-Channel-Id', payment.channelId.slice(0, 65), 'not 0x followed by 64 hex digits'],
  ['RDN-Channel-Id', `${payment.channelId}0`, 'not 0x followed by 64 hex digits'],
  ['RDN-Channel-Id', payment.channelId.slice(2), 'not 0x followed by 64 hex digits'],
  ['RDN-Channel-Id', `0x${'zz'.repeat(32)}`, 'not 0x followed by 64 hex digits'],
  ['RDN-Channel-Id', '12345', 'not 0x followed by 64 hex digits'],
  ['RDN-Channel-Id', 'x'.repeat(1025), 'too long'],
  // RDN-Balance
  ['RDN-Balance', undefined, 'missing'],
  ['RDN-Balance', '', 'empty'],
  ['RDN-Balance', '-1', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '+1', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '1.0', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '1.5', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '1e18', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '0x10', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '007', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '00', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '1 000', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '1_000', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', 'NaN', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', 'Infinity', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '١٢٣', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', '12n', 'not a canonical base-10 unsigned integer'],
  ['RDN-Balance', (UINT256_MAX + 1n).toString(), 'out of range'],
  ['RDN-Balance', '9'.repeat(78), 'out of range'],
  ['RDN-Balance', '1'.repeat(79), 'too many digits'],
  ['RDN-Balance', '9'.repeat(1000), 'too many digits'],
  ['RDN-Balance', ['1', '2'], 'repeated with different values'],
  // RDN-Balance-Signature
  ['RDN-Balance-Signature', undefined, 'missing'],
  ['RDN-Balance-Signature', '', 'empty'],
  ['RDN-Balance-Signature', SIG.slice(0, 131), 'not 0x followed by 130 hex digits'],
  ['RDN-Balance-Signature', `${SIG}0`, 'not 0x followed by 130 hex digits'],
  ['RDN-Balance-Signature', SIG.slice(0, 130), 'not 0x followed by 130 hex digits'],
  ['RDN-Balance-Signature', SIG.slice(2), 'not 0x followed by 130 hex digits'],
  ['RDN-Balance-Signature', `${SIG.slice(0, 131)}x`, 'not 0x followed by 130 hex digits'],
  [
    'RDN-Balance-Signature',
    Buffer.from(SIG.slice(2), 'hex').toString('base64'),
    'not 0x followed by 130 hex digits',
  ],
  // optional echoes: absent is fine, present must be valid
  ['RDN-Chain-Id', '', 'empty'],
  ['RDN-Chain-Id', '0', 'zero'],
  ['RDN-Chain-Id', '-31337', 'not a canonical base-10 unsigned integer'],
  ['RDN-Chain-Id', '0x7a69', 'not a canonical base-10 unsigned integer'],
  ['RDN-Chain-Id', '031337', 'not a canonical base-10 unsigned integer'],
  ['RDN-Chain-Id', (2n ** 53n).toString(), 'out of range'],
  ['RDN-Contract-Address', CHANNEL_MANAGER.replace('F', 'f'), 'bad EIP-55 checksum'],
  ['RDN-Receiver-Address', `0x${'0'.repeat(40)}`, 'zero address'],
];

describe('parsePayment', () => {
  it('round-trips what encodePayment writes', () => {
    expect(parsePayment(valid)).toEqual({ ok: true, value: payment });
  });

  it('round-trips the optional echo of receiver, contract and chain id', () => {
    const echoed: Payment = {
      ...payment,
      receiver: RECEIVER,
      channelManager: CHANNEL_MANAGER,
      chainId: CHAIN_ID,
    };
    const headers = encodePayment(echoed);
    expect(headers).toMatchObject({
      'RDN-Receiver-Address': RECEIVER,
      'RDN-Contract-Address': CHANNEL_MANAGER,
      'RDN-Chain-Id': '31337',
    });
    expect(parsePayment(headers)).toEqual({ ok: true, value: echoed });
  });

  it('answers PAYMENT_REQUIRED when no payment header is present', () => {
    for (const headers of [{}, { accept: '*/*' }, { 'RDN-Chain-Id': '1' }, null, undefined, 'x', 5]) {
      const result = parsePayment(headers as unknown as HeaderBag);
      expect(!result.ok && result.error.code).toBe('PAYMENT_REQUIRED');
      expect(!result.ok && result.error.httpStatus).toBe(402);
    }
  });

  it.each(MALFORMED)('%s = %j is PAYMENT_MALFORMED (%s)', (header, value, reason) => {
    const result = parsePayment(withHeader(header, value));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('PAYMENT_MALFORMED');
    expect(result.error.httpStatus).toBe(400);
    expect(result.error.details).toEqual({ header, reason });
  });

  it('explains a µRaiden 0.2 RDN-Open-Block in place of RDN-Channel-Id', () => {
    const headers = { ...withHeader('RDN-Channel-Id', undefined), 'RDN-Open-Block': '4242' };
    const result = parsePayment(headers);
    expect(!result.ok && result.error.details.reason).toContain('RDN-Open-Block');
  });

  it('normalises spellings: any header case, any hex case, surrounding whitespace, same-value repeats', () => {
    const headers = {
      'rdn-sender-address': `  ${SENDER.toLowerCase()}\t`,
      'RDN-CHANNEL-ID': payment.channelId.toUpperCase().replace('0X', '0x'),
      'Rdn-Balance': [payment.balance.toString(), payment.balance.toString()],
      'rdn-balance-signature': `0x${SIG.slice(2).toUpperCase()}`,
    };
    expect(parsePayment(headers)).toEqual({ ok: true, value: payment });
  });

  it('accepts all-uppercase addresses (no checksum to check) and returns them checksummed', () => {
    const result = parsePayment(withHeader('RDN-Sender-Address', `0x${HEX40.toUpperCase()}`));
    expect(result.ok && result.value.sender).toBe(SENDER);
  });

  it('refuses two spellings of the same header that disagree', () => {
    const result = parsePayment({ ...valid, 'rdn-balance': '1' });
    expect(!result.ok && result.error.details).toEqual({
      header: 'RDN-Balance',
      reason: 'repeated with different values',
    });
  });

  it('reads fetch Headers', () => {
    expect(parsePayment(new Headers(valid))).toEqual({ ok: true, value: payment });
  });

  it('accepts the bounds of uint256 as balances', () => {
    for (const balance of ['0', UINT256_MAX.toString()]) {
      const result = parsePayment(withHeader('RDN-Balance', balance));
      expect(result.ok && result.value.balance).toBe(BigInt(balance));
    }
  });

  it('never throws, whatever the headers hold (seeded fuzz)', () => {
    const seed = propertySeed();
    const rnd = seededRandom(seed);
    const alphabet = [...'0123456789abcdefABCDEFxX+-.,e ;\t\u0000\u00ff\u{1F600}=/\\"\'', ...SENDER, ...SIG];
    const names = [
      'RDN-Sender-Address',
      'RDN-Channel-Id',
      'RDN-Balance',
      'RDN-Balance-Signature',
      'RDN-Chain-Id',
    ];
    for (let i = 0; i < 2000; i++) {
      const headers: Record<string, unknown> = { ...valid };
      const name = names[rnd.int(names.length)] as string;
      const kind = rnd.int(6);
      const length = rnd.int(kind === 0 ? 3000 : 140);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[rnd.int(alphabet.length)];
      headers[kind === 1 ? name.toUpperCase() : name] =
        kind === 2 ? [text, text] : kind === 3 ? { toString: () => text } : kind === 4 ? null : text;
      let result: ReturnType<typeof parsePayment> | undefined;
      expect(() => (result = parsePayment(headers as HeaderBag)), `seed ${seed} i ${i}`).not.toThrow();
      if (result !== undefined && !result.ok)
        expect(['PAYMENT_MALFORMED', 'PAYMENT_REQUIRED']).toContain(result.error.code);
    }
  }, 60_000);
});

describe('encodePayment', () => {
  it('writes canonical spellings: checksummed sender, lowercase hex, base-10 balance', () => {
    const headers = encodePayment({
      ...payment,
      sender: SENDER.toLowerCase() as Payment['sender'],
      channelId: payment.channelId.toUpperCase().replace('0X', '0x') as Payment['channelId'],
    });
    expect(headers).toEqual({
      'RDN-Sender-Address': SENDER,
      'RDN-Channel-Id': payment.channelId,
      'RDN-Balance': '3000000000000000',
      'RDN-Balance-Signature': payment.signature,
    });
  });

  it('normalises v = 0/1 to 27/28 and lowercases the signature', () => {
    const v01 =
      `0x${SIG.slice(2, 130).toUpperCase()}${SIG.endsWith('1b') ? '00' : '01'}` as Payment['signature'];
    expect(encodePayment({ ...payment, signature: v01 })['RDN-Balance-Signature']).toBe(SIG);
  });

  it.each([
    ['malleable (high-s) signature', { signature: highS(SIG) }],
    ['negative balance', { balance: -1n }],
    ['balance above uint256', { balance: UINT256_MAX + 1n }],
    ['short signature', { signature: '0x12' as const }],
    ['bad sender', { sender: '0x12' as const }],
    ['chain id 0', { chainId: 0n }],
  ])('throws INVALID_ARGUMENT for %s', (_name, override) => {
    expect(thrownCode(() => encodePayment({ ...payment, ...override }))).toBe('INVALID_ARGUMENT');
  });
});
