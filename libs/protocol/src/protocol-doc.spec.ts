// docs/protocol.md is the contract other teams implement from. This test parses its tables and examples and
// checks them against the code, so neither can change without the other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BALANCE_PROOF_TYPE, BALANCE_PROOF_TYPEHASH, hashBalanceProof } from './balance-proof';
import { parseChallenge } from './challenge-headers';
import { channelIdOf } from './channel-id';
import { closeRequestPath } from './close-request';
import { CLOSING_PROOF_TYPE, CLOSING_PROOF_TYPEHASH, hashClosingProof } from './closing-proof';
import { channelDomain, EIP712_DOMAIN_TYPE, EIP712_DOMAIN_TYPEHASH } from './eip712-domain';
import { errorBody, renderErrorHtml } from './error-body';
import { parseErrorCode } from './error-headers';
import type { Address, Hex, Hex32 } from './hex';
import { keccak256 } from './keccak256';
import { bytesToHex } from './hex';
import { parsePayment } from './payment-headers';
import { PROTOCOL_ERROR_CODES, PROTOCOL_ERRORS, ProtocolError } from './protocol-error';
import { parseReceipt } from './receipt-headers';
import { recoverBalanceProofSigner, recoverClosingProofSigner } from './recover-signer';
import { privateKeyToAddress, signBalanceProof, signClosingProof } from './sign-proof';
import { SECP256K1_N } from './signature';
import { verifyPayment } from './verify-payment';
import {
  encodeX402Headers,
  encodeX402Payment,
  encodeX402Response,
  MAX_X402_HEADER_LENGTH,
  parseX402Payment,
  parseX402PaymentRequired,
  parseX402Response,
  X402_SCHEME,
} from './x402';

const doc = readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');

function between(begin: string, end: string): string {
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`docs/protocol.md lost its ${begin} marker`);
  return doc.slice(start + begin.length, stop);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    )
    .slice(1); // header row
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

function httpBlock(label: string): { headers: Record<string, string>; body: string } {
  const match = new RegExp('```http ' + label + '\\n([\\s\\S]*?)\\n```').exec(doc);
  if (match === null) throw new Error(`docs/protocol.md lost its ${label} example`);
  const [head, body = ''] = (match[1] as string).split('\n\n');
  const headers: Record<string, string> = {};
  for (const line of (head as string).split('\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function jsonBlock(label: string): unknown {
  const match = new RegExp('```json ' + label + '\\n([\\s\\S]*?)\\n```').exec(doc);
  if (match === null) throw new Error(`docs/protocol.md lost its ${label} JSON`);
  return JSON.parse(match[1] as string);
}

function decodeBase64(value: string | undefined): unknown {
  return JSON.parse(Buffer.from(value as string, 'base64').toString('utf8'));
}

const example = new Map(
  tableRows(between('<!-- worked-example:begin -->', '<!-- worked-example:end -->')).map(([k, v]) => [
    k as string,
    unquote(v as string),
  ]),
);
function value(item: string): string {
  const found = example.get(item);
  if (found === undefined) throw new Error(`worked example lost "${item}"`);
  return found;
}

describe('docs/protocol.md', () => {
  it('lists exactly the code table: codes in order, statuses, messages, µRaiden headers', () => {
    const rows = tableRows(between('<!-- error-table:begin -->', '<!-- error-table:end -->'));
    expect(rows.map((r) => unquote(r[0] as string))).toEqual([...PROTOCOL_ERROR_CODES]);
    for (const [code, status, , message, uraiden] of rows) {
      const spec = PROTOCOL_ERRORS[unquote(code as string) as keyof typeof PROTOCOL_ERRORS];
      expect(Number(status), code).toBe(spec.status);
      expect(message, code).toBe(spec.message);
      const header = /`(RDN-[A-Za-z-]+)`/.exec(uraiden as string)?.[1] ?? null;
      expect(header, code).toBe(spec.uraidenHeader);
    }
  });

  it('states the type strings, type hashes and the malleability bound of the code', () => {
    expect(doc).toContain(EIP712_DOMAIN_TYPE);
    expect(doc).toContain(`\`${BALANCE_PROOF_TYPE}\``);
    expect(doc).toContain(`\`${CLOSING_PROOF_TYPE}\``);
    expect(doc).toContain(`| \`EIP712Domain\` | \`${EIP712_DOMAIN_TYPEHASH}\` |`);
    expect(doc).toContain(`| \`BalanceProof\` | \`${BALANCE_PROOF_TYPEHASH}\` |`);
    expect(doc).toContain(`| \`ClosingProof\` | \`${CLOSING_PROOF_TYPEHASH}\` |`);
    expect(doc).toContain(`\`n/2 = 0x${(SECP256K1_N / 2n).toString(16)}\``);
  });

  it('has a worked example whose every value the code reproduces', () => {
    const chainId = BigInt(value('chain id'));
    const domain = channelDomain(chainId, value('channel manager'));
    const sender = value('sender') as Address;
    const receiver = value('receiver') as Address;
    expect(privateKeyToAddress(value('sender private key'))).toBe(sender);
    expect(privateKeyToAddress(value('receiver private key'))).toBe(receiver);

    const channelId = channelIdOf({
      chainId,
      channelManager: domain.verifyingContract,
      sender,
      receiver,
      nonce: BigInt(value('sender channel nonce')),
    });
    expect(channelId).toBe(value('channel id'));
    expect(domain.separator).toBe(value('domain separator'));

    const balance = BigInt(value('balance (third request)'));
    expect(balance).toBe(BigInt(value('last accepted balance')) + BigInt(value('price')));
    const proof = { channelId, receiver, balance };
    const closing = { channelId, sender, balance };
    const word = (hex: string): string => hex.slice(2).padStart(64, '0');
    const structHash = (typehash: string, party: string): Hex =>
      bytesToHex(
        keccak256(
          Buffer.from(
            word(typehash) + word(channelId) + word(party) + word(`0x${balance.toString(16)}`),
            'hex',
          ),
        ),
      );
    expect(structHash(BALANCE_PROOF_TYPEHASH, receiver)).toBe(value('BalanceProof struct hash'));
    expect(structHash(CLOSING_PROOF_TYPEHASH, sender)).toBe(value('ClosingProof struct hash'));
    expect(hashBalanceProof(domain, proof)).toBe(value('BalanceProof digest'));
    expect(hashClosingProof(domain, closing)).toBe(value('ClosingProof digest'));
    expect(signBalanceProof(value('sender private key'), domain, proof)).toBe(
      value('BalanceProof signature'),
    );
    expect(signClosingProof(value('receiver private key'), domain, closing)).toBe(
      value('ClosingProof signature'),
    );
    expect(recoverBalanceProofSigner(domain, proof, value('BalanceProof signature'))).toEqual({
      ok: true,
      value: sender,
    });
    expect(recoverClosingProofSigner(domain, closing, value('ClosingProof signature'))).toEqual({
      ok: true,
      value: receiver,
    });
  });

  it('shows a 402 whose headers and body the parsers accept and the encoders reproduce', () => {
    const { headers, body } = httpBlock('402-challenge');
    const challenge = parseChallenge(headers);
    expect(challenge).toEqual({
      ok: true,
      value: {
        gatewayPath: '/api/1',
        receiver: value('receiver'),
        channelManager: value('channel manager'),
        token: value('token'),
        price: BigInt(value('price')),
        chainId: BigInt(value('chain id')),
      },
    });
    if (!challenge.ok) return;
    expect(parseErrorCode(headers)).toBe('PAYMENT_REQUIRED');
    expect(JSON.parse(body)).toEqual(errorBody(new ProtocolError('PAYMENT_REQUIRED')));
    const x402 = encodeX402Headers(challenge.value, {
      resource: { url: 'http://localhost:3000/api/weather', mimeType: 'application/json' },
      error: 'PAYMENT_REQUIRED',
    });
    expect(headers['PAYMENT-REQUIRED']).toBe(x402['PAYMENT-REQUIRED']);
    const parsed = parseX402PaymentRequired(headers);
    expect(parsed.ok && parsed.value.challenge).toEqual(challenge.value);
    // The JSON shown in section 11.8 is the decoded header.
    expect(jsonBlock('x402-payment-required')).toEqual(decodeBase64(headers['PAYMENT-REQUIRED']));
  });

  it('shows a paid request that verifyPayment accepts for exactly the price', () => {
    const { headers } = httpBlock('paid-request');
    const payment = parsePayment(headers);
    expect(payment.ok).toBe(true);
    if (!payment.ok) return;
    const decision = verifyPayment({
      payment: payment.value,
      gateway: {
        receiver: value('receiver') as Address,
        domain: channelDomain(BigInt(value('chain id')), value('channel manager')),
      },
      channel: {
        sender: value('sender') as Address,
        receiver: value('receiver') as Address,
        deposit: 10n ** 19n,
        state: 'open',
        confirmations: 12,
      },
      requiredConfirmations: 12,
      lastAcceptedBalance: BigInt(value('last accepted balance')),
      price: BigInt(value('price')),
    });
    expect(decision).toEqual({
      accepted: true,
      increment: BigInt(value('price')),
      authorised: BigInt(value('price')),
      balance: BigInt(value('balance (third request)')),
      signature: value('BalanceProof signature'),
    });
  });

  it('has a metered example (7.2) that follows the next-proof rule, the charge clamp and the receipt rules', () => {
    const domain = channelDomain(BigInt(value('chain id')), value('channel manager'));
    const sender = value('sender') as Address;
    const receiver = value('receiver') as Address;
    const channelId = value('channel id') as Hex32;
    const challenge = httpBlock('metered-challenge').headers;
    expect(challenge['RDN-Price-Mode']).toBe('metered');
    const ceiling = BigInt(challenge['RDN-Price'] as string);
    const first = parsePayment(httpBlock('metered-request-1').headers);
    expect(first.ok && first.value.balance).toBe(ceiling);
    const reported = [1_200_000_000_000_000n, 7_000_000_000_000_000n, 300_000_000_000_000n];
    let signed = 0n;
    let charged = 0n;
    reported.forEach((a, i) => {
      expect(doc).toContain(`RDN-Charge: ${a}`);
      const balance = signed + 1n > charged + ceiling ? signed + 1n : charged + ceiling;
      const signature = signBalanceProof(value('sender private key'), domain, {
        channelId,
        receiver,
        balance,
      });
      if (i === 0) expect(first.ok && first.value.signature).toBe(signature);
      else expect(doc).toContain(signature);
      const decision = verifyPayment({
        payment: { sender, channelId, balance, signature },
        gateway: { receiver, domain },
        channel: { sender, receiver, deposit: 10n ** 19n, state: 'open', confirmations: 12 },
        requiredConfirmations: 12,
        lastAcceptedBalance: signed,
        chargedBalance: charged,
        price: ceiling,
      });
      expect(decision.accepted).toBe(true);
      const cost = a > ceiling ? ceiling : a < 1n ? 1n : a;
      signed = balance;
      charged += cost;
      const receipt = parseReceipt(httpBlock(`metered-response-${i + 1}`).headers);
      expect(receipt).toEqual({
        ok: true,
        value: {
          channelId,
          senderBalance: signed,
          cost,
          ...(charged === signed ? {} : { chargedBalance: charged }),
        },
      });
      expect(signed - charged <= ceiling).toBe(true);
    });
    const close = signBalanceProof(value('sender private key'), domain, {
      channelId,
      receiver,
      balance: charged,
    });
    expect(doc).toContain(`a \`BalanceProof\` for \`${charged}\``);
    expect(doc).toContain(close);
    expect(doc).toContain(`\`details.expected\` = \`"${charged}"\``);
  });

  it('shows a paid response with a receipt and the challenge', () => {
    const { headers } = httpBlock('paid-response');
    expect(parseReceipt(headers)).toEqual({
      ok: true,
      value: {
        channelId: value('channel id'),
        senderBalance: BigInt(value('balance (third request)')),
        cost: BigInt(value('price')),
      },
    });
    expect(parseChallenge(headers).ok).toBe(true);
  });

  it('shows the close path and the HTML error page the code renders', () => {
    expect(doc).toContain(
      `DELETE ${closeRequestPath('/api/1', value('sender') as Address, value('channel id') as Hex)}`,
    );
    expect(doc).toContain(
      renderErrorHtml(new ProtocolError('CHANNEL_NOT_FOUND', { channelId: value('channel id') })),
    );
    const stale = errorBody(
      new ProtocolError('BALANCE_STALE', { balance: '2000000000000000', lastAccepted: '3000000000000000' }),
    );
    expect(doc).toContain(JSON.stringify(stale, null, 2));
  });

  it('names the x402 scheme and header limit of the code, and no published scheme', () => {
    const section = between('## 11. x402 v2', '### 11.2');
    expect(section).toContain(`**\`${X402_SCHEME}\`**`);
    for (const taken of ['exact', 'upto', 'deferred', 'batch-settlement', 'channel', 'statechannel']) {
      expect(section).toContain(`\`${taken}\``);
      expect(X402_SCHEME).not.toBe(taken);
    }
    expect(between('## 11. x402 v2', '### 11.1')).toContain(`at most ${MAX_X402_HEADER_LENGTH} characters`);
  });

  it('shows an x402 payment that reads as exactly the RDN-* payment of section 13', () => {
    const { headers } = httpBlock('x402-paid-request');
    expect(decodeBase64(headers['PAYMENT-SIGNATURE'])).toEqual(jsonBlock('x402-payment-payload'));
    const x402 = parseX402Payment(headers);
    expect(x402).toEqual(parsePayment(httpBlock('paid-request').headers));
    // The client's encoder reproduces the header from the requirement it received.
    const offered = parseX402PaymentRequired(httpBlock('402-challenge').headers);
    if (!offered.ok || !x402.ok || x402.value === undefined) throw new Error('unparsable example');
    const { sender, channelId, balance, signature } = x402.value;
    const resource = { url: 'http://localhost:3000/api/weather', mimeType: 'application/json' };
    expect(
      encodeX402Payment(offered.value.accepted, { sender, channelId, balance, signature }, resource),
    ).toEqual({
      'PAYMENT-SIGNATURE': headers['PAYMENT-SIGNATURE'],
    });
  });

  it('shows the PAYMENT-RESPONSE the gateway encodes for the charged request', () => {
    const { headers } = httpBlock('x402-paid-response');
    const receipt = parseReceipt(headers);
    if (!receipt.ok || receipt.value === undefined) throw new Error('no receipt');
    expect(decodeBase64(headers['PAYMENT-RESPONSE'])).toEqual(jsonBlock('x402-settle-response'));
    const outcome = { kind: 'receipt', receipt: receipt.value, payer: value('sender') as Address } as const;
    expect(encodeX402Response(BigInt(value('chain id')), outcome)).toEqual({
      'PAYMENT-RESPONSE': headers['PAYMENT-RESPONSE'],
    });
    expect(parseX402Response(headers)).toEqual({
      ok: true,
      value: {
        success: true,
        payer: value('sender'),
        transaction: '',
        network: BigInt(value('chain id')),
        amount: BigInt(value('price')),
        extra: receipt.value,
      },
    });
  });

  it('shows a corrective 402 whose channel state is the accepted proof, signed by the sender', () => {
    const { headers, body } = httpBlock('x402-corrective');
    expect(parseErrorCode(headers)).toBe('BALANCE_STALE');
    const error = new ProtocolError('BALANCE_STALE', {
      balance: value('price'),
      lastAccepted: value('balance (third request)'),
    });
    expect(JSON.parse(body)).toEqual(errorBody(error));
    const receipt = parseReceipt(headers);
    if (!receipt.ok || receipt.value === undefined) throw new Error('no receipt');
    const parsed = parseX402PaymentRequired(headers);
    if (!parsed.ok) throw parsed.error;
    const { channel, challenge } = parsed.value;
    expect(channel).toEqual({
      sender: value('sender'),
      channelId: value('channel id'),
      balance: receipt.value.senderBalance,
      signature: value('BalanceProof signature'),
    });
    const domain = channelDomain(challenge.chainId, challenge.channelManager);
    const proof = {
      channelId: value('channel id') as Hex32,
      receiver: challenge.receiver,
      balance: channel?.balance ?? 0n,
    };
    expect(recoverBalanceProofSigner(domain, proof, channel?.signature as Hex)).toEqual({
      ok: true,
      value: value('sender'),
    });
    const resource = { url: 'http://localhost:3000/api/weather' };
    expect(encodeX402Headers(challenge, { resource, error: error.code, channel })).toEqual({
      'PAYMENT-REQUIRED': headers['PAYMENT-REQUIRED'],
    });
    // A 402 carries no PAYMENT-RESPONSE (11.4): x402 clients would read it and skip this requirement.
    expect(headers['PAYMENT-RESPONSE']).toBeUndefined();
  });
});
