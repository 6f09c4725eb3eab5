import { describeChannel } from '../cli-output';
import type { CliContext } from '../cli-context';
import { formatTokenAmount, parseTokenAmount } from '../token-amount';

/** `open <receiver> <deposit>`: opens a channel and waits for the confirmations. */
export async function openCommand(ctx: CliContext, args: Readonly<Record<string, string>>): Promise<number> {
  const token = await ctx.token();
  const deposit = parseTokenAmount(args.deposit as string, 'deposit', token);
  ctx.output.progress(`opening a channel to ${args.receiver} with ${formatTokenAmount(deposit, token)}`);
  const channel = await ctx.client.openChannel(args.receiver as string, deposit, {
    onProgress: (event) => ctx.output.transaction(event),
  });
  ctx.output.result(describeChannel(channel, token), channel.toJSON());
  return 0;
}
