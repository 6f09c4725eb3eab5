import type { CliContext } from '../cli-context';
import { formatDuration } from '../../format-duration';
import { formatTokenAmount } from '../token-amount';

/** `close <channelId> [--receiver-url <url>]`: cooperative close, or the start of the challenge period. */
export async function closeCommand(ctx: CliContext, args: Readonly<Record<string, string>>): Promise<number> {
  const token = await ctx.token();
  const channel = await ctx.client.channel(args.channelId as string);
  const receiverUrl = ctx.values['receiver-url'] ?? channel.gatewayUrl;
  ctx.output.progress(
    receiverUrl
      ? `asking the receiver at ${receiverUrl} to sign a close at balance ${formatTokenAmount(channel.balance, token)}`
      : 'no receiver URL known: closing uncooperatively',
  );
  const outcome = await channel.close({
    ...(ctx.values['receiver-url'] ? { receiverUrl: ctx.values['receiver-url'] } : {}),
    onProgress: (event) => ctx.output.transaction(event),
  });
  if (outcome.kind === 'cooperative') {
    ctx.output.result(
      [
        `closed cooperatively: channel ${channel.id} is settled`,
        `  receiver paid  ${formatTokenAmount(outcome.receiverPaid, token)}`,
        `  refunded       ${formatTokenAmount(outcome.senderRefund, token)}`,
        `  transaction    ${outcome.txHash}`,
      ].join('\n'),
      { channelId: channel.id, ...outcome },
    );
    return 0;
  }
  const left = await channel.secondsUntilSettleable();
  ctx.output.result(
    [
      `uncooperative close requested (${outcome.reason})`,
      `  balance        ${formatTokenAmount(outcome.balance, token)}`,
      `  settle from    chain time ${outcome.settleAt} (in ${formatDuration(left)})`,
      ...(outcome.txHash ? [`  transaction    ${outcome.txHash}`] : []),
      `  then run: microraiden settle ${channel.id} --wait`,
    ].join('\n'),
    { channelId: channel.id, ...outcome, secondsLeft: Number(left) },
  );
  return 0;
}
