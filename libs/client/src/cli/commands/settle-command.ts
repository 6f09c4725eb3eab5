import type { CliContext } from '../cli-context';
import { formatDuration } from '../../format-duration';
import { formatTokenAmount } from '../token-amount';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `settle <channelId> [--wait]`: pays out a closing channel. With --wait it counts the challenge period
 * down (on the chain's clock, polled) and settles as soon as it is over.
 */
export async function settleCommand(
  ctx: CliContext,
  args: Readonly<Record<string, string>>,
): Promise<number> {
  const token = await ctx.token();
  const channel = await ctx.client.channel(args.channelId as string);
  if (ctx.values.wait) {
    let lastPrinted = Number.NEGATIVE_INFINITY;
    for (;;) {
      const left = await channel.secondsUntilSettleable();
      if (channel.state !== 'closing' || left === 0n) break;
      // A non-terminal gets a line a minute at most; a terminal a live countdown.
      const now = Date.now();
      if (ctx.output.interactive || now - lastPrinted >= 60_000) {
        ctx.output.status(
          `challenge period: ${formatDuration(left)} left (settle at chain time ${channel.settleAt})`,
        );
        lastPrinted = now;
      }
      await sleep(Math.min(5_000, Math.max(500, Number(left) * 1000)));
    }
    ctx.output.status('challenge period over', true);
  }
  const settled = await channel.settle({ onProgress: (event) => ctx.output.transaction(event) });
  ctx.output.result(
    [
      `settled channel ${channel.id}`,
      `  balance        ${formatTokenAmount(settled.balance, token)}`,
      `  receiver paid  ${formatTokenAmount(settled.receiverPaid, token)}`,
      `  refunded       ${formatTokenAmount(settled.senderRefund, token)}`,
      `  transaction    ${settled.txHash}`,
    ].join('\n'),
    { channelId: channel.id, ...settled },
  );
  return 0;
}
