// The RDN-* headers the page sends and reads (docs/protocol.md 5.2 and 5.3).
import type { Hex } from './abi';
import type { PageChallenge } from './typed-data';

const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

/** The payment headers of a request, echoes included. */
export function paymentHeaders(
  challenge: PageChallenge,
  sender: Hex,
  channelId: Hex,
  balance: bigint,
  signature: string,
): Record<string, string> {
  return {
    'RDN-Sender-Address': sender,
    'RDN-Channel-Id': channelId.toLowerCase(),
    'RDN-Balance': balance.toString(),
    'RDN-Balance-Signature': signature,
    'RDN-Receiver-Address': challenge.receiver,
    'RDN-Contract-Address': challenge.channelManager,
    'RDN-Chain-Id': challenge.chainId.toString(),
  };
}

/** The receipt headers of a response, or undefined when absent or malformed. */
export function readReceipt(
  headers: Headers,
): { channelId: string; balance: bigint; cost: bigint } | undefined {
  const channelId = headers.get('RDN-Channel-Id');
  const balance = headers.get('RDN-Sender-Balance')?.trim();
  const cost = headers.get('RDN-Cost')?.trim();
  if (channelId === null || balance === undefined || cost === undefined) return undefined;
  if (!AMOUNT.test(balance) || !AMOUNT.test(cost)) return undefined;
  return { channelId: channelId.trim().toLowerCase(), balance: BigInt(balance), cost: BigInt(cost) };
}
