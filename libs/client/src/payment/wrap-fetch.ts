import { parseReceipt } from '@microraiden/protocol';
import type { PaidAmount } from './paid-answer-decision';
import { paidFetch, type PaidFetchOptions } from './paid-fetch';
import type { PaymentWallet } from './payment-wallet';

/** Limits of a wrapped fetch: paidFetch's options without the wallet and the fetch. */
export type WrapFetchOptions = Omit<PaidFetchOptions, 'wallet' | 'fetch'>;

// What each response returned by a wrapped fetch cost, kept beside it rather than on it: the caller gets a
// plain Response, and the entry goes when the response does.
const receipts = new WeakMap<Response, PaidAmount>();

/**
 * What a response cost: paidFetch's record for a response from a wrapped fetch, else read from the
 * gateway's receipt headers (RDN-Channel-Id, RDN-Cost, RDN-Sender-Balance; `price` then is the cost and
 * `prepaid` false). Undefined when nothing was charged.
 */
export function getReceipt(response: Response): PaidAmount | undefined {
  const recorded = receipts.get(response);
  if (recorded) return recorded;
  const read = parseReceipt(response.headers);
  if (!read.ok || !read.value || read.value.cost === 0n) return undefined;
  const { channelId, cost, senderBalance } = read.value;
  const chargedBalance = read.value.chargedBalance ?? senderBalance;
  return { channelId, amount: cost, balance: senderBalance, chargedBalance, price: cost, prepaid: false };
}

/** A Request's method, headers, body and signal as RequestInit, with `init` on top (as fetch merges them). */
async function initOf(input: Request, init: RequestInit | undefined): Promise<RequestInit> {
  const hasBody = input.body !== null && input.method !== 'GET' && input.method !== 'HEAD';
  return {
    method: input.method,
    headers: input.headers,
    signal: input.signal,
    redirect: input.redirect,
    ...(hasBody ? { body: await input.arrayBuffer() } : {}),
    ...init,
  };
}

/**
 * A drop-in `fetch` that pays 402 challenges from `wallet` (a Client or SenderClient) within `options`,
 * for libraries that take a fetch. It returns the plain Response; `getReceipt(response)` tells what it
 * cost. Refusals (PRICE_TOO_HIGH, PAYMENT_REFUSED, ...) reject with a ClientError, like network errors do.
 *
 * @example
 * const paying = wrapFetch(fetch, client, { maxPricePerRequest: 1000n, maxDeposit: 10n ** 6n });
 * const response = await paying('http://localhost:3000/api/weather');
 * console.log(getReceipt(response)?.amount);
 */
export function wrapFetch(
  fetchImpl: typeof fetch,
  wallet: PaymentWallet,
  options: WrapFetchOptions,
): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : (input as string | URL);
    const merged = request ? await initOf(request, init) : init;
    const { response, paid } = await paidFetch(url, merged, { ...options, wallet, fetch: fetchImpl });
    if (paid) receipts.set(response, paid);
    return response;
  };
}
