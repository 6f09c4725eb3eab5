import { describe, expect, it } from 'vitest';
import { GasFundsGate, isHeldForFunds, isInsufficientFunds } from './gas-funds-gate';

/** The shape ethers gives a node's "insufficient funds" answer. */
const nodeRefusal = () =>
  Object.assign(new Error('insufficient funds for intrinsic transaction cost'), {
    code: 'INSUFFICIENT_FUNDS',
  });

function setup() {
  const world = { now: 0, balance: 0n, reads: 0 };
  const lines: Array<{ level: string; message: string }> = [];
  const changes: boolean[] = [];
  let refusals = 0;
  const gate = new GasFundsGate(
    async () => {
      world.reads++;
      return world.balance;
    },
    { policy: { baseDelayMs: 1_000, maxDelayMs: 4_000 }, balanceMaxAgeMs: 200 },
    {
      info: (message) => lines.push({ level: 'info', message }),
      warn: (message) => lines.push({ level: 'warn', message }),
      error: (message) => lines.push({ level: 'error', message }),
    },
    { onRefused: () => refusals++, onShortChanged: (short) => changes.push(short) },
    () => world.now,
  );
  /** One poll of a send loop: try when admitted, the node refusing while the balance is below 10. */
  const attempt = async (): Promise<'sent' | 'refused' | 'held'> => {
    try {
      await gate.admit();
    } catch (err) {
      if (isHeldForFunds(err)) return 'held';
      throw err;
    }
    if (world.balance < 10n) {
      const held = await gate.refused(nodeRefusal());
      expect(isHeldForFunds(held)).toBe(true);
      return 'refused';
    }
    gate.paid();
    return 'sent';
  };
  return { world, gate, lines, changes, attempt, refusals: () => refusals };
}

describe('GasFundsGate', () => {
  it('backs off while the key has no ETH: a few node calls and one log line per outage, not one per poll', async () => {
    const { world, gate, lines, changes, attempt, refusals } = setup();
    const outcomes: string[] = [];
    for (world.now = 0; world.now < 20_000; world.now += 250) outcomes.push(await attempt());
    // 80 polls in 20 s (four a second): refused at 0, 1 s, 3 s, 7 s, 11 s, 15 s, 19 s (cap 4 s).
    expect(refusals()).toBe(7);
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(73);
    expect(world.reads).toBeLessThanOrEqual(7 + 20_000 / 250);
    expect(lines).toEqual([{ level: 'error', message: expect.stringMatching(/cannot pay for gas/) }]);
    expect(changes).toEqual([true]);
    expect(gate.short).toBe(true);
  });

  it('sends at the first poll after the balance rises, and logs the recovery once', async () => {
    const { world, gate, lines, changes, attempt } = setup();
    await attempt();
    world.now = 300;
    await attempt();
    world.balance = 1_000n;
    world.now = 550; // the back-off runs until 1 000 ms: the rise alone lets the send through
    expect(await attempt()).toBe('sent');
    expect(gate.short).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    world.now = 600;
    expect(await attempt()).toBe('sent');
    expect(lines).toHaveLength(2);
  });

  it('starts a new outage (and logs it) when the key runs dry again', async () => {
    const { world, lines, changes, attempt } = setup();
    await attempt();
    world.balance = 50n;
    world.now = 500;
    await attempt();
    world.balance = 0n;
    world.now = 1_000;
    await attempt();
    expect(changes).toEqual([true, false, true]);
    expect(lines.map((l) => l.level)).toEqual(['error', 'info', 'error']);
  });
});

describe('isInsufficientFunds', () => {
  it('recognises ethers’ code, the node message nested in ethers’ error, and our wrapped errors', () => {
    expect(isInsufficientFunds(nodeRefusal())).toBe(true);
    const rpc = Object.assign(new Error('could not coalesce error'), {
      code: 'UNKNOWN_ERROR',
      error: { code: -32003, message: 'Insufficient funds for gas * price + value' },
    });
    expect(isInsufficientFunds(rpc)).toBe(true);
    expect(isInsufficientFunds(new Error('could not send', { cause: rpc }))).toBe(true);
    expect(isInsufficientFunds(new Error('nonce too low'))).toBe(false);
    expect(isInsufficientFunds(undefined)).toBe(false);
  });
});
