import {
  encodePayment,
  isChargeableStatus,
  parseChallenge,
  parseErrorCode,
  parseReceipt,
  sameAddress,
  type Challenge,
  type Hex32,
  type Receipt,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { ChallengeMemory, resourceKey } from './challenge-memory';
import type { TransactionProgress } from '../chain/transaction-progress';
import { KeyedMutex } from './keyed-mutex';
import type { PaymentIdentity, PaymentWallet, PreparedPayment } from './payment-wallet';
import { replayableBody } from './replayable-body';

/** Limits and knobs of one paid request. */
export interface PaidFetchOptions {
  /** Who pays (a `Client`). */
  readonly wallet: PaymentWallet;
  /** Refuse, without signing anything, a price above this (token base units). */
  readonly maxPricePerRequest: bigint;
  /** Open or top up a channel to at most this deposit when none can pay. Default 0: use existing channels only. */
  readonly maxDeposit?: bigint;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Largest streamed request body buffered for the paid retry. Default 10 MiB. */
  readonly maxBufferedBodyBytes?: number;
  /** Re-sends of the same proof after network failures. Default 2. */
  readonly networkRetries?: number;
  /** Longest total wait for the gateway to see a new channel or deposit. Default 30 s. */
  readonly channelWaitMs?: number;
  /**
   * Send the payment with the request itself when this client met the resource's challenge before (one round
   * trip instead of two). Default true; false always sends the request unpaid first.
   */
  readonly prepay?: boolean;
  readonly onProgress?: (event: PaidFetchProgress) => void;
}

/** What paidFetch is doing, for callers that show it. */
export type PaidFetchProgress =
  /** `remembered`: taken from an earlier answer for this resource, not from a 402 just received. */
  | { readonly stage: 'challenge'; readonly challenge: Challenge; readonly remembered: boolean }
  | { readonly stage: 'transaction'; readonly progress: TransactionProgress }
  | {
      readonly stage: 'paying';
      readonly channelId: Hex32;
      readonly balance: bigint;
      readonly reused: boolean;
      /** Sent without the unpaid 402 round trip, on a remembered challenge. */
      readonly prepaid: boolean;
    }
  | { readonly stage: 'retrying'; readonly reason: string; readonly delayMs: number };

/** What a paid request cost, from the gateway's receipt. */
export interface PaidAmount {
  readonly channelId: Hex32;
  /** Charged for this request (RDN-Cost). */
  readonly amount: bigint;
  /** The channel's balance the receiver now holds (RDN-Sender-Balance). */
  readonly balance: bigint;
  /** The price the gateway asked. */
  readonly price: bigint;
  /** True when the payment went out with the request itself: the unpaid 402 round trip was skipped. */
  readonly prepaid: boolean;
}

/** The final response and what was paid for it (null: nothing was charged). */
export interface PaidResponse {
  readonly response: Response;
  readonly paid: PaidAmount | null;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
const WAITABLE = new Set([
  'CHANNEL_NOT_FOUND',
  'CHANNEL_INSUFFICIENT_CONFIRMATIONS',
  'BALANCE_EXCEEDS_DEPOSIT',
]);
// A prepaid request answered 402 with one of these was not judged on its amount: the remembered challenge is
// outdated (the route is no longer paid, or another receiver or deployment serves it). Start over from it.
const HANDSHAKE_AGAIN = new Set(['PAYMENT_REQUIRED', 'WRONG_CHAIN', 'WRONG_CONTRACT', 'WRONG_RECEIVER']);
const mutexes = new WeakMap<PaymentWallet, KeyedMutex>();
// Per wallet (so per Client instance), like the mutexes.
const memories = new WeakMap<PaymentWallet, ChallengeMemory>();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** The gateway's own words for an error answer, read from its JSON body (bounded). */
async function refusal(response: Response, code: string, channelId: Hex32): Promise<ClientError> {
  let message = '';
  try {
    const text = await response.text();
    const body = text.length <= 65_536 ? (JSON.parse(text) as { error?: { message?: unknown } }) : undefined;
    if (typeof body?.error?.message === 'string') message = `: ${body.error.message.slice(0, 300)}`;
  } catch {
    // No readable body: the code says enough.
  }
  return new ClientError('PAYMENT_REFUSED', `the gateway refused the payment with ${code}${message}`, {
    gatewayCode: code,
    status: response.status,
    channelId,
  });
}

/** Checks a challenge against this client's deployment and the caller's price limit, before anything is signed. */
function checkChallenge(challenge: Challenge, identity: PaymentIdentity, maxPrice: bigint): void {
  const mismatch = (what: string, expected: string, received: string) =>
    new ClientError(
      'CHALLENGE_MISMATCH',
      `the gateway asks for payment with ${what} ${received}, this client is set up for ${expected}`,
      { field: what, expected, received },
    );
  if (challenge.chainId !== identity.chainId) {
    throw mismatch('chain id', identity.chainId.toString(), challenge.chainId.toString());
  }
  if (!sameAddress(challenge.channelManager, identity.channelManager)) {
    throw mismatch('channel manager', identity.channelManager, challenge.channelManager);
  }
  if (!sameAddress(challenge.token, identity.token)) {
    throw mismatch('token', identity.token, challenge.token);
  }
  if (challenge.price > maxPrice) {
    throw new ClientError(
      'PRICE_TOO_HIGH',
      `the gateway asks ${challenge.price} per request, above the limit of ${maxPrice}`,
      { price: challenge.price.toString(), maxPrice: maxPrice.toString() },
    );
  }
}

/**
 * fetch() that pays: sends the request; on `402` reads the challenge (RDN-* headers), checks it against
 * the wallet's deployment and `maxPricePerRequest`, gets a channel to the receiver (reused, topped up or
 * opened within `maxDeposit`), signs the cumulative balance and retries once with the payment headers.
 * The challenge is remembered per resource (method, origin, path), and the next request to it carries its
 * payment right away (`prepay`, default on): one round trip instead of two. A plain 402 answer to such a
 * request falls back to the handshake; amount errors are handled as after a handshake.
 *
 * It never pays twice for one request: network failures re-send the same proof (same balance); a proof
 * the gateway accepted but whose answer was lost ends in PAYMENT_RESPONSE_LOST rather than a second
 * payment; BALANCE_STALE / INCREMENT_BELOW_PRICE re-sync to the gateway's RDN-Sender-Balance and re-sign
 * once. Paid requests to one receiver are serialised per wallet.
 *
 * @example
 * const { response, paid } = await paidFetch('http://localhost:3000/api/weather', undefined, {
 *   wallet: client,
 *   maxPricePerRequest: 10n ** 15n,
 *   maxDeposit: 10n ** 18n,
 * });
 */
export async function paidFetch(
  url: string | URL,
  init: RequestInit | undefined,
  options: PaidFetchOptions,
): Promise<PaidResponse> {
  const { wallet } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxPrice = options.maxPricePerRequest;
  const maxDeposit = options.maxDeposit ?? 0n;
  if (typeof maxPrice !== 'bigint' || maxPrice < 0n || typeof maxDeposit !== 'bigint' || maxDeposit < 0n) {
    throw new ClientError('INVALID_AMOUNT', 'maxPricePerRequest and maxDeposit must be bigints >= 0');
  }
  const target = new URL(url);
  const body = await replayableBody(init?.body, options.maxBufferedBodyBytes ?? DEFAULT_MAX_BODY);
  const { duplex: _duplex, ...rest } = (init ?? {}) as RequestInit & { duplex?: string };
  const requestInit = (extra: Record<string, string> = {}): RequestInit => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return { ...rest, headers, ...(body === undefined ? {} : { body: body as RequestInit['body'] }) };
  };

  let mutex = mutexes.get(wallet);
  if (!mutex) mutexes.set(wallet, (mutex = new KeyedMutex()));
  let memory: ChallengeMemory | undefined;
  if (options.prepay !== false) {
    memory = memories.get(wallet);
    if (!memory) memories.set(wallet, (memory = new ChallengeMemory()));
  }
  const key = resourceKey(init?.method, target);

  // A bare Response: a prepaid attempt got a plain challenge back and the handshake has to start from it.
  const pay = (challenge: Challenge, prepaid: boolean): Promise<PaidResponse | Response> =>
    mutex
      .run(challenge.receiver, () => payWith(challenge, prepaid))
      .catch((error: unknown) => {
        memory?.forget(key);
        throw error;
      });

  const payWith = async (challenge: Challenge, prepaid: boolean): Promise<PaidResponse | Response> => {
    const gatewayUrl = new URL(challenge.gatewayPath, target).toString();
    const channelId = await wallet.fundChannel({
      receiver: challenge.receiver,
      amount: challenge.price,
      maxDeposit,
      onProgress: (progress) => options.onProgress?.({ stage: 'transaction', progress }),
    });
    let price = challenge.price;
    let proof = await wallet.preparePayment({ channelId, price, maxIncrement: maxPrice });
    let resigned = false;
    let networkFailed = false;
    let waitedMs = 0;
    let waits = 0;

    const send = async (payment: PreparedPayment): Promise<Response> => {
      const headers = encodePayment({
        sender: payment.sender,
        channelId: payment.channelId,
        balance: payment.balance,
        signature: payment.signature,
        receiver: challenge.receiver,
        channelManager: challenge.channelManager,
        chainId: challenge.chainId,
      });
      const retries = options.networkRetries ?? 2;
      for (let failures = 0; ; failures++) {
        try {
          return await doFetch(target, requestInit(headers));
        } catch (cause) {
          if (init?.signal?.aborted) throw cause;
          networkFailed = true;
          if (failures >= retries) {
            throw new ClientError(
              'NETWORK_ERROR',
              `the paid request to ${target.origin} failed ${failures + 1} times; balance ${payment.balance} is signed but unconfirmed and will be re-sent by the next request`,
              { channelId: payment.channelId, balance: payment.balance.toString() },
              { cause },
            );
          }
          const delayMs = 200 * 2 ** failures;
          options.onProgress?.({ stage: 'retrying', reason: 'network error', delayMs });
          await sleep(delayMs);
        }
      }
    };

    for (;;) {
      options.onProgress?.({
        stage: 'paying',
        channelId,
        balance: proof.balance,
        reused: proof.reused,
        prepaid,
      });
      const response = await send(proof);
      const receiptRead = parseReceipt(response.headers);
      const receipt: Receipt | undefined =
        receiptRead.ok && receiptRead.value?.channelId === channelId ? receiptRead.value : undefined;
      if (receipt) {
        await wallet.recordReceiverBalance({ channelId, balance: receipt.senderBalance, gatewayUrl });
      }
      const code = parseErrorCode(response.headers);
      if (prepaid && response.status === 402 && (code === undefined || HANDSHAKE_AGAIN.has(code))) {
        memory?.forget(key);
        return response;
      }
      if (code === undefined || (response.status !== 402 && response.status !== 409)) {
        if (receipt) {
          // Paid replies repeat the challenge (protocol 5.1): a changed price is known before the next request.
          const latest = parseChallenge(response.headers);
          memory?.remember(key, latest.ok ? latest.value : challenge);
        } else {
          // No receipt: the resource may have become free; never prepay for it on a guess.
          memory?.forget(key);
        }
        return { response, paid: paidFor(response, receipt, proof, price, prepaid) };
      }

      if (code === 'BALANCE_STALE' || code === 'INCREMENT_BELOW_PRICE') {
        if (code === 'BALANCE_STALE' && networkFailed && receipt?.senderBalance === proof.balance) {
          await discard(response);
          throw new ClientError(
            'PAYMENT_RESPONSE_LOST',
            `the gateway accepted balance ${proof.balance} but its answer was lost in the network; not paying again`,
            { channelId, balance: proof.balance.toString() },
          );
        }
        if (resigned || !receipt) throw await refusal(response, code, channelId);
        resigned = true;
        if (code === 'INCREMENT_BELOW_PRICE') {
          const latest = parseChallenge(response.headers);
          if (latest.ok) {
            checkChallenge(latest.value, await wallet.paymentIdentity(), maxPrice);
            price = latest.value.price;
          }
        }
        await discard(response);
        proof = await wallet.preparePayment({ channelId, price, maxIncrement: maxPrice });
        continue;
      }

      if (WAITABLE.has(code)) {
        const delayMs = retryAfterMs(response) ?? Math.min(5_000, 250 * 2 ** waits);
        if (waitedMs + delayMs > (options.channelWaitMs ?? 30_000)) {
          throw await refusal(response, code, channelId);
        }
        await discard(response);
        options.onProgress?.({ stage: 'retrying', reason: code, delayMs });
        await sleep(delayMs);
        waitedMs += delayMs;
        waits++;
        continue;
      }
      throw await refusal(response, code, channelId);
    }
  };

  let answer: Response | undefined;
  const remembered = memory?.recall(key);
  if (remembered !== undefined) {
    let fits = true;
    try {
      checkChallenge(remembered, await wallet.paymentIdentity(), maxPrice);
    } catch {
      // E.g. a lower maxPricePerRequest than last time: let a fresh challenge decide.
      fits = false;
      memory?.forget(key);
    }
    if (fits) {
      options.onProgress?.({ stage: 'challenge', challenge: remembered, remembered: true });
      const outcome = await pay(remembered, true);
      if (!(outcome instanceof Response)) return outcome;
      answer = outcome;
    }
  }

  answer ??= await doFetch(target, requestInit());
  if (answer.status !== 402) return { response: answer, paid: null };
  const parsed = parseChallenge(answer.headers);
  await discard(answer);
  if (!parsed.ok) throw parsed.error;
  const challenge = parsed.value;
  checkChallenge(challenge, await wallet.paymentIdentity(), maxPrice);
  options.onProgress?.({ stage: 'challenge', challenge, remembered: false });
  const outcome = await pay(challenge, false);
  // Only a prepaid attempt hands a challenge back.
  return outcome instanceof Response ? { response: outcome, paid: null } : outcome;
}

/** What a non-error answer to a paid request cost: the receipt's word, or (no receipt) what was sent. */
function paidFor(
  response: Response,
  receipt: Receipt | undefined,
  proof: PreparedPayment,
  price: bigint,
  prepaid: boolean,
): PaidAmount | null {
  if (receipt) {
    return receipt.cost > 0n
      ? { channelId: proof.channelId, amount: receipt.cost, balance: receipt.senderBalance, price, prepaid }
      : null;
  }
  // A gateway that sends no receipt still charges when its upstream succeeded (2xx/3xx, protocol section 7).
  return isChargeableStatus(response.status)
    ? {
        channelId: proof.channelId,
        amount: proof.balance - proof.base,
        balance: proof.balance,
        price,
        prepaid,
      }
    : null;
}
