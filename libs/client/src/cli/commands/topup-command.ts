import { describeChannel } from '../cli-output';
import type { CliContext } from '../cli-context';
import { formatTokenAmount, parseTokenAmount } from '../token-amount';

/** `topup <channelId> <amount>`: adds to a channel's deposit. */
export async function topupCommand(ctx: CliContext, args: Readonly<Record<string, string>>): Promise<number> {
  const token = await ctx.token();
  const amount = parseTokenAmount(args.amount as string, 'amount', token);
  const channel = await ctx.client.channel(args.channelId as string);
  ctx.output.progress(`topping up ${channel.id} by ${formatTokenAmount(amount, token)}`);
  await channel.topup(amount, { onProgress: (event) => ctx.output.transaction(event) });
  ctx.output.result(describeChannel(channel, token), channel.toJSON());
  return 0;
}
