import {
  encodePayment,
  parseChallenge,
  parseErrorCode,
  parseReceipt,
  type Challenge,
  type Hex32,
  type Receipt,
} from '@microraiden/protocol';
import { ClientError } from '../client-error';
import { checkChallenge, checkNotStreamed } from './challenge-check';
import { ChallengeMemory, resourceKey } from './challenge-memory';
import type { TransactionProgress } from '../chain/transaction-progress';
import { KeyedMutex } from './keyed-mutex';
import {
  decidePaidAnswer,
  evolveAttempt,
  type PaidAmount,
  type PaidAnswer,
  type PaidAttempt,
} from './paid-answer-decision';
import type { PaymentWallet, PreparedPayment } from './payment-wallet';
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

export type { PaidAmount } from './paid-answer-decision';

/** The final response and what was paid for it (null: nothing was charged). */
export interface PaidResponse {
  readonly response: Response;
  readonly paid: PaidAmount | null;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
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

/** One paidFetch call's fixed inputs: what the shell carries decisions out with. */
interface PaidRequest {
  readonly options: PaidFetchOptions;
  readonly wallet: PaymentWallet;
  readonly doFetch: typeof fetch;
  readonly target: URL;
  readonly maxPrice: bigint;
  readonly maxDeposit: bigint;
  readonly signal: AbortSignal | null | undefined;
  /** The caller's request with `extra` headers set (the body buffered once, so it can be re-sent). */
  readonly requestInit: (extra?: Record<string, string>) => RequestInit;
  readonly mutex: KeyedMutex;
  /** Challenges remembered for prepaying; undefined when `prepay` is off. */
  readonly memory: ChallengeMemory | undefined;
  readonly key: string;
}

async function preparePaidRequest(
  url: string | URL,
  init: RequestInit | undefined,
  options: PaidFetchOptions,
): Promise<PaidRequest> {
  const { wallet } = options;
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
  return {
    options,
    wallet,
    doFetch: options.fetch ?? globalThis.fetch,
    target,
    maxPrice,
    maxDeposit,
    signal: init?.signal,
    requestInit,
    mutex,
    memory,
    key: resourceKey(init?.method, target),
  };
}

/** The parts of an answer that decide the next step; a receipt about another channel is ignored. */
function readAnswer(response: Response, channelId: Hex32): PaidAnswer {
  const receipt = parseReceipt(response.headers);
  const challenge = parseChallenge(response.headers);
  return {
    status: response.status,
    code: parseErrorCode(response.headers),
    receipt: receipt.ok && receipt.value?.channelId === channelId ? receipt.value : undefined,
    challenge: challenge.ok ? challenge.value : undefined,
    retryAfterMs: retryAfterMs(response),
  };
}

/**
 * Sends the request with `payment`; network failures re-send the very same proof (never a new one) up to
 * `networkRetries` times, and mark the attempt so a later BALANCE_STALE can tell a lost answer.
 */
async function sendPaid(
  req: PaidRequest,
  challenge: Challenge,
  payment: PreparedPayment,
  onNetworkFailure: () => void,
): Promise<Response> {
  const headers = encodePayment({
    sender: payment.sender,
    channelId: payment.channelId,
    balance: payment.balance,
    signature: payment.signature,
    receiver: challenge.receiver,
    channelManager: challenge.channelManager,
    chainId: challenge.chainId,
  });
  const retries = req.options.networkRetries ?? 2;
  for (let failures = 0; ; failures++) {
    try {
      return await req.doFetch(req.target, req.requestInit(headers));
    } catch (cause) {
      if (req.signal?.aborted) throw cause;
      onNetworkFailure();
      if (failures >= retries) {
        throw new ClientError(
          'NETWORK_ERROR',
          `the paid request to ${req.target.origin} failed ${failures + 1} times; balance ${payment.balance} is signed but unconfirmed and will be re-sent by the next request`,
          { channelId: payment.channelId, balance: payment.balance.toString() },
          { cause },
        );
      }
      const delayMs = 200 * 2 ** failures;
      req.options.onProgress?.({ stage: 'retrying', reason: 'network error', delayMs });
      await sleep(delayMs);
    }
  }
}

/** Stores a receipt's balances: RDN-Sender-Balance, and RDN-Charged-Balance (equal to it when absent). */
function recordReceipt(wallet: PaymentWallet, receipt: Receipt, gatewayUrl: string): Promise<void> {
  const { channelId, senderBalance, chargedBalance } = receipt;
  return wallet.recordReceiverBalance({
    channelId,
    balance: senderBalance,
    chargedBalance: chargedBalance ?? senderBalance,
    gatewayUrl,
  });
}

/**
 * Pays `challenge` over a channel (reused, topped up or opened) and follows the gateway's answers with
 * decidePaidAnswer until one is final. A bare Response: a prepaid attempt met a plain challenge, and the
 * handshake has to start from it.
 */
async function payWith(
  req: PaidRequest,
  challenge: Challenge,
  prepaid: boolean,
): Promise<PaidResponse | Response> {
  const { wallet, options } = req;
  const gatewayUrl = new URL(challenge.gatewayPath, req.target).toString();
  const channelId = await wallet.fundChannel({
    receiver: challenge.receiver,
    amount: challenge.price,
    maxDeposit: req.maxDeposit,
    onProgress: (progress) => options.onProgress?.({ stage: 'transaction', progress }),
  });
  const prepare = (price: bigint) => wallet.preparePayment({ channelId, price, maxIncrement: req.maxPrice });
  let attempt: PaidAttempt = {
    challenge,
    channelId,
    proof: await prepare(challenge.price),
    price: challenge.price,
    prepaid,
    resigned: false,
    networkFailed: false,
    waitedMs: 0,
    waits: 0,
  };
  for (;;) {
    const { proof } = attempt;
    options.onProgress?.({
      stage: 'paying',
      channelId,
      balance: proof.balance,
      reused: proof.reused,
      prepaid,
    });
    const response = await sendPaid(req, challenge, proof, () => {
      attempt = { ...attempt, networkFailed: true };
    });
    const answer = readAnswer(response, channelId);
    if (answer.receipt) await recordReceipt(wallet, answer.receipt, gatewayUrl);
    const decision = decidePaidAnswer(attempt, answer, options.channelWaitMs ?? 30_000);
    attempt = evolveAttempt(attempt, decision);
    switch (decision.kind) {
      case 'done':
        if (decision.remember) req.memory?.remember(req.key, decision.remember);
        else req.memory?.forget(req.key);
        return { response, paid: decision.paid };
      case 'handshake':
        req.memory?.forget(req.key);
        return response;
      case 'resync':
        if (decision.challenge) {
          checkNotStreamed(decision.challenge);
          checkChallenge(decision.challenge, await wallet.paymentIdentity(), req.maxPrice);
        }
        await discard(response);
        attempt = { ...attempt, proof: await prepare(attempt.price) };
        break;
      case 'wait':
        await discard(response);
        options.onProgress?.({ stage: 'retrying', reason: decision.reason, delayMs: decision.delayMs });
        await sleep(decision.delayMs);
        break;
      case 'lost':
        await discard(response);
        throw new ClientError(
          'PAYMENT_RESPONSE_LOST',
          `the gateway accepted balance ${proof.balance} but its answer was lost in the network; not paying again`,
          { channelId, balance: proof.balance.toString() },
        );
      case 'refuse':
        throw await refusal(response, decision.code, channelId);
      default: {
        const unhandled: never = decision;
        return unhandled;
      }
    }
  }
}

/** payWith under the wallet's per-receiver lock; a failure forgets the remembered challenge. */
function pay(req: PaidRequest, challenge: Challenge, prepaid: boolean): Promise<PaidResponse | Response> {
  return req.mutex
    .run(challenge.receiver, () => payWith(req, challenge, prepaid))
    .catch((error: unknown) => {
      req.memory?.forget(req.key);
      throw error;
    });
}

/** Pays right away on a challenge remembered for the resource, if there is one that fits the limits. */
async function payRemembered(req: PaidRequest): Promise<PaidResponse | Response | undefined> {
  const remembered = req.memory?.recall(req.key);
  if (remembered === undefined) return undefined;
  try {
    checkChallenge(remembered, await req.wallet.paymentIdentity(), req.maxPrice);
  } catch {
    // E.g. a lower maxPricePerRequest than last time: let a fresh challenge decide.
    req.memory?.forget(req.key);
    return undefined;
  }
  req.options.onProgress?.({ stage: 'challenge', challenge: remembered, remembered: true });
  return pay(req, remembered, true);
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
 * once. Paid requests to one receiver are serialised per wallet. What to do after each answer is decided
 * by the pure decidePaidAnswer; this function and its helpers only do the I/O.
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
  const req = await preparePaidRequest(url, init, options);
  const outcome = await payRemembered(req);
  if (outcome !== undefined && !(outcome instanceof Response)) return outcome;
  const answer = outcome ?? (await req.doFetch(req.target, req.requestInit()));
  if (answer.status !== 402) return { response: answer, paid: null };
  const parsed = parseChallenge(answer.headers);
  await discard(answer);
  if (!parsed.ok) throw parsed.error;
  const challenge = parsed.value;
  checkNotStreamed(challenge);
  checkChallenge(challenge, await req.wallet.paymentIdentity(), req.maxPrice);
  options.onProgress?.({ stage: 'challenge', challenge, remembered: false });
  const paid = await pay(req, challenge, false);
  // Only a prepaid attempt hands a challenge back.
  return paid instanceof Response ? { response: paid, paid: null } : paid;
}
