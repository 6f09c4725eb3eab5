import {
  closeRequestPath,
  encodeCloseRequestBody,
  parseCloseResponse,
  parseErrorCode,
  recoverClosingProofSigner,
  sameAddress,
  type Address,
  type ChannelDomain,
  type Hex,
  type Hex32,
} from '@microraiden/protocol';

/** The gateway path µRaiden and this protocol use when a receiver URL names no path. */
export const DEFAULT_GATEWAY_PATH = '/api/1';

/** What a close request needs: the channel, the balance to close at and the sender's proof of it. */
export interface ClosingSignatureRequest {
  readonly fetch: typeof fetch;
  /** The gateway: origin plus gateway path (`http://host:3000/api/1`); a bare origin means `/api/1`. */
  readonly gatewayUrl: string;
  readonly domain: ChannelDomain;
  readonly channelId: Hex32;
  readonly sender: Address;
  readonly receiver: Address;
  readonly balance: bigint;
  readonly balanceSignature: Hex;
  readonly timeoutMs?: number;
}

/** The receiver's closing signature, or why there is none (the caller then closes uncooperatively). */
export type ClosingSignatureAnswer =
  | { readonly ok: true; readonly closingSignature: Hex }
  | { readonly ok: false; readonly reason: string; readonly gatewayCode?: string };

/** Normalises a receiver URL to origin + gateway path, defaulting the path to `/api/1`. */
export function gatewayBaseUrl(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path === '' ? DEFAULT_GATEWAY_PATH : path}`;
}

/**
 * Asks the receiver's gateway for its ClosingProof signature (`DELETE {gatewayPath}/channels/{sender}/{id}`
 * with the balance and the sender's signature of it, docs/protocol.md section 10). The answer is checked
 * before it is trusted: same channel, parties and balance, and a signature that recovers to the receiver —
 * a bad one would only make cooperativeClose revert.
 */
export async function requestClosingSignature(
  request: ClosingSignatureRequest,
): Promise<ClosingSignatureAnswer> {
  let url: URL;
  try {
    const base = new URL(gatewayBaseUrl(request.gatewayUrl));
    url = new URL(closeRequestPath(base.pathname, request.sender, request.channelId), base.origin);
  } catch {
    return { ok: false, reason: `not a usable receiver URL: ${request.gatewayUrl}` };
  }
  let response: Response;
  try {
    response = await request.fetch(url, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(
        encodeCloseRequestBody({ balance: request.balance, balanceSignature: request.balanceSignature }),
      ),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `the receiver at ${url.origin} is unreachable (${reason})` };
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const code = parseErrorCode(response.headers);
    return {
      ok: false,
      reason: `the receiver refused to sign the close: ${code ?? `HTTP ${response.status}`}`,
      ...(code ? { gatewayCode: code } : {}),
    };
  }
  const parsed = parseCloseResponse(json);
  if (!parsed.ok) return { ok: false, reason: 'the receiver answered with a malformed close response' };
  const answer = parsed.value;
  if (
    answer.channelId !== request.channelId ||
    !sameAddress(answer.sender, request.sender) ||
    !sameAddress(answer.receiver, request.receiver) ||
    answer.balance !== request.balance
  ) {
    return { ok: false, reason: 'the receiver signed a close for another channel or balance' };
  }
  const signer = recoverClosingProofSigner(
    request.domain,
    { channelId: request.channelId, sender: request.sender, balance: request.balance },
    answer.closingSignature,
  );
  if (!signer.ok || !sameAddress(signer.value, request.receiver)) {
    return { ok: false, reason: 'the closing signature is not the receiver’s' };
  }
  return { ok: true, closingSignature: answer.closingSignature };
}
