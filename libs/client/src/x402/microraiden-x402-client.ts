import { x402Client } from '@x402/core/client';
import type { PaymentWallet } from '../payment/payment-wallet';
import { MicroraidenChannelScheme, type MicroraidenX402Options } from './microraiden-channel-scheme';

/**
 * An x402Client that pays microraiden gateways from `wallet` (a Client or SenderClient): the
 * `microraiden-channel` scheme registered for the wallet's chain, and spend controls that allow its token
 * up to `maxPricePerRequest` per request (x402's defaults allow only USD stablecoins).
 *
 * @example
 * const x402 = await microraidenX402Client(client, { maxPricePerRequest: 1000n, maxDeposit: 10n ** 6n });
 * const pay = wrapFetchWithPayment(fetch, x402.client);
 * const response = await pay('http://localhost:3000/api/weather');
 */
export async function microraidenX402Client(
  wallet: PaymentWallet,
  options: MicroraidenX402Options,
): Promise<{ client: x402Client; scheme: MicroraidenChannelScheme }> {
  const scheme = new MicroraidenChannelScheme(wallet, options);
  const { chainId, token } = await wallet.paymentIdentity();
  const network = `eip155:${chainId}` as const;
  const client = new x402Client().register(network, scheme);
  client.setSpendControls({
    allowedAssets: [{ asset: token, network, maxAmountPerPayment: options.maxPricePerRequest.toString() }],
  });
  return { client, scheme };
}
