import { MicroraidenError } from '@microraiden/errors';
import { ClientError, isClientError } from '../../client-error';
import type { CliContext } from '../cli-context';
import { CliUsageError } from '../cli-usage-error';
import { formatTokenAmount, parseTokenAmount } from '../token-amount';

function headersOf(lines: readonly string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new CliUsageError(`--header must look like 'Name: value', not ${JSON.stringify(line)}`);
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      throw new CliUsageError(`--header ${JSON.stringify(line)} is not a valid HTTP header`);
    }
  }
  return headers;
}

/**
 * `pay <url>`: fetches a paywalled URL, paying over a channel. The body goes to stdout (or, with --json,
 * `{ status, paid, body }`); what was paid goes to stderr. Exit code 3 when the final status is >= 400.
 */
export async function payCommand(ctx: CliContext, args: Readonly<Record<string, string>>): Promise<number> {
  const { values, output } = ctx;
  let url: URL;
  try {
    url = new URL(args.url as string);
  } catch {
    throw new CliUsageError(`not a URL: ${JSON.stringify(args.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliUsageError('pay needs an http(s) URL');
  const token = await ctx.token();
  const maxPricePerRequest = parseTokenAmount(values['max-price'] ?? '0', '--max-price', token);
  const maxDeposit = parseTokenAmount(values['max-deposit'] ?? '0', '--max-deposit', token);
  const method = (values.method ?? (values.data === undefined ? 'GET' : 'POST')).toUpperCase();
  const init: RequestInit = { method, headers: headersOf(values.header ?? []) };
  if (values.data !== undefined) init.body = values.data;

  let result: Awaited<ReturnType<typeof ctx.client.fetch>>;
  try {
    result = await ctx.client.fetch(url, init, {
      maxPricePerRequest,
      maxDeposit,
      onProgress: (event) => {
        if (event.stage === 'challenge') {
          output.progress(
            `price ${formatTokenAmount(event.challenge.price, token)} per request to ${event.challenge.receiver}`,
          );
        } else if (event.stage === 'transaction') {
          output.transaction(event.progress);
        } else if (event.stage === 'retrying') {
          output.progress(`  retrying in ${event.delayMs} ms (${event.reason})`);
        }
      },
    });
  } catch (error) {
    // --max-price 0 (the default) asks only for the price: being told it is the answer, not a failure.
    if (maxPricePerRequest === 0n && isClientError(error, 'PRICE_TOO_HIGH')) {
      const price = BigInt(String(error.details.price));
      output.result(
        `${url.href} costs ${formatTokenAmount(price, token)} per request; nothing paid. ` +
          `To pay: microraiden pay ${url.href} --max-price ${formatUnitsArgument(price, token)}`,
        { status: 402, price, paid: null },
      );
      return 0;
    }
    throw networkFailure(error, url);
  }
  const { response, paid } = result;
  const body = await response.text();
  output.progress(`HTTP ${response.status}`);
  if (paid) {
    output.progress(
      `paid ${formatTokenAmount(paid.amount, token)} on channel ${paid.channelId}; balance ${formatTokenAmount(paid.balance, token)}`,
    );
  } else {
    output.progress('paid nothing');
  }
  output.result(body, { status: response.status, paid, body });
  return response.status >= 400 ? 3 : 0;
}

/** A price as an argument the user can paste back: token units with the symbol. */
function formatUnitsArgument(amount: bigint, token: { decimals: number; symbol: string }): string {
  return formatTokenAmount(amount, token).split(' ')[0] + token.symbol;
}

/**
 * fetch() rejects with a bare `TypeError: fetch failed` when the gateway cannot be reached: name the URL
 * and the socket error (ECONNREFUSED, ENOTFOUND, ...) instead.
 */
function networkFailure(error: unknown, url: URL): unknown {
  if (error instanceof MicroraidenError || !(error instanceof TypeError)) return error;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? error.message;
  return new ClientError(
    'NETWORK_ERROR',
    `cannot reach ${url.origin} (${why}) for ${url.href}`,
    {
      url: url.href,
    },
    { cause: error },
  );
}
