// Try the stack's streamed completion: prints the tokens as they arrive and what they cost, in token units.
// usage: npm run completion -- [url] [--prompt text] [--max-tokens n] [--budget 0.001MTK] [--max-deposit 0.1MTK]
//        [--rpc url] [--deployment file] [--keystore file] [--state-dir dir]
// The defaults are `npm run stack`'s: http://127.0.0.1:8082/v1/complete, anvil on 8545, .run/deployment.json and
// the demo sender's key .run/demo-sender.key (a channel is opened on first use, up to --max-deposit).
import { parseArgs } from 'node:util';
import { Client, readDeploymentFile } from '@microraiden/client';
import { formatTokenAmountWithBase, parseUnits, type TokenUnits } from '@microraiden/protocol';
import { streamCompletion } from './completion-stream';

const USAGE = `usage: npm run completion -- [url] [--prompt text] [--max-tokens n] [--budget 0.001MTK]
  [--max-deposit 0.1MTK] [--rpc url] [--deployment file] [--keystore file] [--state-dir dir]
  url defaults to http://127.0.0.1:8082/v1/complete (npm run stack's completion demo); amounts are base units
  or token units with the symbol (0.001MTK)`;

/** An amount typed by the user: integer base units, or token units followed by the token's symbol. */
function amount(text: string, what: string, token: TokenUnits): bigint {
  if (/^[0-9]+$/.test(text)) return BigInt(text);
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]\w*)$/.exec(text.trim());
  if (match?.[2]?.toLowerCase() !== token.symbol.toLowerCase())
    throw new Error(`${what} must be base units or ${token.symbol} (e.g. 0.001${token.symbol}), not ${text}`);
  return parseUnits(match[1]!, token.decimals);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      prompt: { type: 'string', default: 'Once upon a block' },
      'max-tokens': { type: 'string', default: '40' },
      budget: { type: 'string', default: '0.001MTK' },
      'max-deposit': { type: 'string', default: '0.1MTK' },
      rpc: { type: 'string', default: 'http://127.0.0.1:8545' },
      deployment: { type: 'string', default: '.run/deployment.json' },
      keystore: { type: 'string', default: '.run/demo-sender.key' },
      'state-dir': { type: 'string', default: '.run/demo-sender-state' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = new URL(positionals[0] ?? 'http://127.0.0.1:8082/v1/complete');
  url.searchParams.set('prompt', values.prompt);
  url.searchParams.set('max_tokens', values['max-tokens']);
  const client = new Client(
    { keystorePath: values.keystore },
    {
      rpcUrl: values.rpc,
      deployment: await readDeploymentFile(values.deployment),
      stateDir: values['state-dir'],
    },
  );
  try {
    const token = await client.tokenInfo();
    const result = await streamCompletion(
      client,
      url.toString(),
      {
        budget: amount(values.budget, '--budget', token),
        maxDeposit: amount(values['max-deposit'], '--max-deposit', token),
      },
      (text) => process.stdout.write(text),
    );
    process.stdout.write('\n\n');
    const { receipt } = result;
    if (receipt === null) {
      process.stdout.write(`${result.tokens.length} tokens; the stream ended without a receipt\n`);
      return 1;
    }
    const unitPrice = receipt.units > 0 ? receipt.cost / BigInt(receipt.units) : 0n;
    process.stdout.write(
      `charged ${receipt.units} tokens × ${formatTokenAmountWithBase(unitPrice, token)} = ` +
        `${formatTokenAmountWithBase(receipt.cost, token)}\n` +
        `signed ${formatTokenAmountWithBase(result.spent, token)} (budget ${values.budget}); ` +
        `channel ${receipt.channelId}, charged balance ${formatTokenAmountWithBase(receipt.chargedBalance, token)}\n`,
    );
    return 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(1);
  },
);
