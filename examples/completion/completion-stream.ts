import { ClientError, type Client, type PaidStream, type StreamReceipt } from '@microraiden/client';

/** What one paid completion delivered and cost. */
export interface CompletionResult {
  readonly tokens: string[];
  /** The gateway's final receipt (`cost` = tokens × unit price); null when the stream was cut off. */
  readonly receipt: StreamReceipt | null;
  /** Signed for by this stream in total: what the budget bounds (at most one step more than `cost`). */
  readonly spent: bigint;
}

/** Options of {@link streamCompletion}. */
export interface CompletionStreamOptions {
  /** The most the stream signs, in base units. */
  readonly budget: bigint;
  /** Open or top up a channel to at most this deposit when none can pay the budget. */
  readonly maxDeposit?: bigint;
  /** How long to wait for a just-opened channel to reach the paywall (confirmations, projection). Default 30 s. */
  readonly channelWaitMs?: number;
}

/** The paywall does not know the (just-opened or topped-up) channel yet: worth asking again shortly. */
const NOT_YET = new Set(['CHANNEL_NOT_FOUND', 'CHANNEL_INSUFFICIENT_CONFIRMATIONS', 'GATEWAY_UNAVAILABLE']);

async function openStream(
  client: Client,
  url: string,
  options: CompletionStreamOptions,
): Promise<PaidStream> {
  const deadline = Date.now() + (options.channelWaitMs ?? 30_000);
  for (;;) {
    try {
      return await client.stream(url, {
        budget: options.budget,
        method: 'POST',
        ...(options.maxDeposit === undefined ? {} : { maxDeposit: options.maxDeposit }),
      });
    } catch (err) {
      // client.stream opens a channel and pays at once; unlike client.fetch it does not wait for the channel to be
      // confirmed, so the first request right after an opening is refused with one of these.
      const code = err instanceof ClientError ? err.details.gatewayCode : undefined;
      if (typeof code !== 'string' || !NOT_YET.has(code) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Streams a completion paid per token with `client.stream` within `budget` (base units), handing each token to
 * `onToken` as it arrives. Top-ups ride on the same request's body, one step at a time.
 */
export async function streamCompletion(
  client: Client,
  url: string,
  options: CompletionStreamOptions,
  onToken: (token: string) => void = () => undefined,
): Promise<CompletionResult> {
  const stream = await openStream(client, url, options);
  if (stream.status !== 200) throw new Error(`the completion answered ${stream.status}`);
  const tokens: string[] = [];
  for await (const event of stream) {
    if (event.event !== 'token') continue;
    const { token } = JSON.parse(event.data) as { token: string };
    tokens.push(token);
    onToken(token);
  }
  return { tokens, receipt: await stream.receipt, spent: stream.spent };
}
