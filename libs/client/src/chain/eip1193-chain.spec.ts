import { describe, expect, it } from 'vitest';
import type { Address } from '@microraiden/protocol';
import { isClientError } from '../client-error';
import type { Eip1193Provider } from '../keys/eip1193-signer';
import { uintWord } from './abi-words';
import { Eip1193Chain } from './eip1193-chain';

const SENDER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as Address;
const RECEIVER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const options = {
  chainId: 31337n,
  channelManager: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as Address,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
  pollingIntervalMs: 1,
};

/** A wallet that answers from `answers` by method (a function gets the params), and rejects the rest. */
function wallet(answers: Record<string, unknown>): Eip1193Provider {
  return {
    request: async ({ method, params }) => {
      const answer = answers[method];
      if (answer === undefined) throw new Error(`${method} refused`);
      return typeof answer === 'function' ? (answer as (p: unknown) => unknown)(params) : answer;
    },
  };
}

// Failure paths a real node rarely produces on demand; the happy paths run against anvil (eip1193-chain.int-spec).
describe('Eip1193Chain with a scripted wallet', () => {
  it('reports no token units when the token does not tell them, or tells nonsense', async () => {
    expect(await new Eip1193Chain(wallet({}), options).tokenUnits()).toBeUndefined();
    const stringOf = (text: string) =>
      `0x${uintWord(32n)}${uintWord(BigInt(text.length))}${Buffer.from(text).toString('hex').padEnd(64, '0')}`;
    const calls = (symbol: string) =>
      wallet({
        eth_call: ([{ data }]: [{ data: string }]) =>
          data === '0x313ce567' ? `0x${uintWord(18n)}` : stringOf(symbol),
      });
    expect(await new Eip1193Chain(calls('MTK'), options).tokenUnits()).toEqual({
      decimals: 18,
      symbol: 'MTK',
    });
    expect(await new Eip1193Chain(calls('<b>x</b>'), options).tokenUnits()).toBeUndefined();
  });

  it('finds no channel when the node refuses the log query, and none in malformed logs', async () => {
    expect(
      await new Eip1193Chain(wallet({}), options).findChannel({
        sender: SENDER,
        receiver: RECEIVER,
        minDeposit: 1n,
      }),
    ).toBeUndefined();
    const junk = wallet({ eth_getLogs: [{ topics: ['0x1234'] }, null, { topics: [] }] });
    expect(
      await new Eip1193Chain(junk, options).findChannel({
        sender: SENDER,
        receiver: RECEIVER,
        minDeposit: 1n,
      }),
    ).toBeUndefined();
  });

  it('is TRANSACTION_FAILED when the opening transaction reverts, or creates no channel', async () => {
    const opening = (receipt: unknown) =>
      new Eip1193Chain(
        wallet({
          eth_sendTransaction: '0xabc',
          eth_getTransactionReceipt: receipt,
        }),
        options,
      ).openChannel(SENDER, RECEIVER, 10n);
    const reverted = await opening({ status: '0x0', logs: [] }).catch((e: unknown) => e);
    expect(isClientError(reverted, 'TRANSACTION_FAILED') && reverted.message).toBe(
      'approve reverted in 0xabc',
    );
    const empty = await opening({ status: '0x1', logs: [] }).catch((e: unknown) => e);
    expect(isClientError(empty, 'TRANSACTION_FAILED') && empty.message).toBe(
      'open channel created no channel (0xabc)',
    );
  });

  it('gives up on a transaction that is not mined in time', async () => {
    const chain = new Eip1193Chain(
      wallet({ eth_sendTransaction: '0xabc', eth_getTransactionReceipt: () => null }),
      { ...options, timeoutMs: 5 },
    );
    await expect(chain.openChannel(SENDER, RECEIVER, 10n)).rejects.toThrow(
      'approve: 0xabc was not mined in time',
    );
  });
});
