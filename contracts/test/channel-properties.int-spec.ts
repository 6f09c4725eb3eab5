import fc from 'fast-check';
import { MaxUint256, type Wallet } from 'ethers';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { createChannelDriver, type ChainView, type ChannelDriver } from './channel-driver';
import { deployChannelFixture, mined, type ChannelFixture } from './channel-fixture';
import { invariantViolations } from './channel-invariants';
import { initialModel, type ModelConfig, type ModelState } from './channel-model';
import { createArbitrary, operationArbitrary, type Operation } from './channel-operations';
import { transition } from './channel-transitions';

/**
 * Property-based tests of MicroTransferChannels: random sequences of creates (approve, permit, ERC-1363,
 * ERC-223; some naming a session key as balance signer), top-ups, signed proofs (by the sender or its key) (also above the deposit), withdrawals, the three closes, disputes,
 * settles and time warps around `settleAt`, on the real contract on anvil, with the invariants of
 * `channel-invariants.ts` checked after every step.
 *
 * Reproduce a run: CONTRACT_PROPERTY_SEED=<seed printed below> (CONTRACT_PROPERTY_RUNS for more runs).
 */

const CHALLENGE_PERIOD = 3_600n;
const SENDER_TOKENS = 1_000_000_000n;
const RUNS = Number(process.env.CONTRACT_PROPERTY_RUNS ?? 50);
const SEED = Number(process.env.CONTRACT_PROPERTY_SEED ?? Date.now() % 2 ** 31);
/** A few channels first, so that most operations have a live channel to aim at. */
const operations = fc
  .tuple(
    fc.array(createArbitrary, { minLength: 1, maxLength: 3 }),
    fc.array(operationArbitrary, { minLength: 15, maxLength: 40, size: 'max' }),
  )
  .map(([opening, rest]) => [...opening, ...rest]);

describe('MicroTransferChannels: properties over random operation sequences', () => {
  let f: ChannelFixture;
  let driver: ChannelDriver;
  let config: ModelConfig;
  let initialTokens: Record<string, bigint>;

  beforeAll(async () => {
    const rpcUrl = inject('rpcUrl');
    f = await deployChannelFixture(rpcUrl, { challengePeriod: Number(CHALLENGE_PERIOD) });
    const senders = [await f.fundedSender(SENDER_TOKENS), await f.fundedSender(SENDER_TOKENS)];
    for (const sender of senders) {
      await mined(f.token.connect(sender).approve(f.deployment.channelManager, MaxUint256));
    }
    const receivers = [await f.newAccount(), await f.newAccount()];
    const sessionKeys = [await f.newAccount(), await f.newAccount()];
    config = {
      chainId: f.chain.chainId,
      manager: f.deployment.channelManager,
      challengePeriod: CHALLENGE_PERIOD,
      senders: senders.map((s) => s.address),
      receivers: receivers.map((r) => r.address),
      signers: sessionKeys.map((k) => k.address),
    };
    const everyone: Wallet[] = [...senders, ...receivers, ...sessionKeys];
    driver = await createChannelDriver(rpcUrl, f, everyone);
    const view = await driver.read(addressesOf(config), []);
    initialTokens = { ...view.tokens };
  });

  afterAll(() => driver?.close());

  const addressesOf = (c: ModelConfig) => [...c.senders, ...c.receivers, c.manager];

  const readChain = (state: ModelState): Promise<ChainView> =>
    driver.read(
      addressesOf(state.config),
      state.channels.map((c) => c.id),
    );

  /** How often each call ended which way, over all runs: shows the sequences reach every path. */
  const outcomes = new Map<string, number>();
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

  /** Runs `ops` from a fresh world; throws at the first step that breaks an invariant. */
  const runSequence = async (ops: readonly Operation[]): Promise<void> => {
    let state = initialModel(config, await driver.reset(), initialTokens);
    let chain = await readChain(state);
    for (const [index, op] of ops.entries()) {
      const step = transition(state, op);
      if (!step) {
        count(`skipped ${op.kind}`);
        continue;
      }
      const outcome = await driver.execute(step.call, state.now);
      const via = 'via' in step.call ? `/${step.call.via}` : '';
      count(`${step.call.fn}${via}${step.label ? ` (${step.label})` : ''} ${outcome.revert?.name ?? 'ok'}`);
      const onChain = step.call.fn !== 'warp' && step.call.fn !== 'signBalanceProof';
      const chainAfter = onChain ? await readChain(step.next) : chain;
      const violations = invariantViolations({
        before: state,
        transition: step,
        outcome,
        chainBefore: chain,
        chainAfter,
      });
      if (violations.length > 0) {
        throw new Error(`step ${index} ${JSON.stringify(step.call, bigints)}:\n  ${violations.join('\n  ')}`);
      }
      state = step.next;
      chain = chainAfter;
    }
  };

  it(`keeps every invariant over ${RUNS} random operation sequences`, async () => {
    console.log(
      `contract properties: seed ${SEED}, ${RUNS} runs (reproduce: CONTRACT_PROPERTY_SEED=${SEED})`,
    );
    await fc.assert(fc.asyncProperty(operations, runSequence), {
      numRuns: RUNS,
      seed: SEED,
      // Shrinking replays sequences on anvil: bound it, the failure is reported with the smallest found.
      interruptAfterTimeLimit: 240_000,
      markInterruptAsFailure: true,
      endOnFailure: process.env.CONTRACT_PROPERTY_NO_SHRINK === '1',
    });
    const table = [...outcomes].sort(([a], [b]) => a.localeCompare(b));
    console.log(table.map(([key, n]) => `${String(n).padStart(6)}  ${key}`).join('\n'));
  }, 300_000);
});

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
