import { getAddress, type JsonRpcProvider, type Wallet } from 'ethers';
import type { BrowserContext } from 'playwright-core';

/** One call the page made to window.ethereum, as the test wallet saw it. */
export interface WalletCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** A wallet test double: signs with a local key, reports `chainId`, forwards reads to the node. */
export interface TestWallet {
  readonly calls: WalletCall[];
  /** Installs window.ethereum in every page of `context`, answering through this wallet. */
  install(context: BrowserContext): Promise<void>;
}

interface TypedDataJson {
  types: Record<string, Array<{ name: string; type: string }>>;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}

// Runs in the page: an EIP-1193 provider whose request() goes to the Node binding the context exposes.
const PROVIDER_INIT_SCRIPT = `
  window.ethereum = {
    isTestWallet: true,
    request: async ({ method, params }) => {
      const answer = JSON.parse(await window.__testWalletRequest(method, JSON.stringify(params ?? [])));
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
  };
`;

/**
 * An EIP-1193 wallet for Chromium tests. eth_requestAccounts/eth_accounts/eth_chainId are answered here,
 * eth_signTypedData_v4 parses the JSON and signs with ethers, eth_sendTransaction signs and sends through
 * `provider`; every other method (receipts, eth_call, eth_getLogs, ...) goes to the node as is.
 */
export function testWallet(wallet: Wallet, provider: JsonRpcProvider, chainId: bigint): TestWallet {
  const calls: WalletCall[] = [];
  const account = getAddress(wallet.address);

  async function answer(method: string, params: unknown[]): Promise<unknown> {
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [account];
      case 'eth_chainId':
        return `0x${chainId.toString(16)}`;
      case 'eth_signTypedData_v4': {
        const [from, json] = params as [string, string];
        if (getAddress(from) !== account) throw Object.assign(new Error('unknown account'), { code: 4100 });
        const typed = JSON.parse(json) as TypedDataJson;
        // ethers derives the domain type itself and refuses it among the types.
        const { EIP712Domain: _domainType, ...types } = typed.types;
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      case 'eth_sendTransaction': {
        const [tx] = params as [{ from: string; to: string; data: string; value?: string }];
        if (getAddress(tx.from) !== account)
          throw Object.assign(new Error('unknown account'), { code: 4100 });
        const sent = await wallet
          .connect(provider)
          .sendTransaction({ to: tx.to, data: tx.data, value: tx.value });
        return sent.hash;
      }
      default:
        return provider.send(method, params);
    }
  }

  return {
    calls,
    async install(context) {
      await context.exposeFunction('__testWalletRequest', async (method: string, paramsJson: string) => {
        const params = JSON.parse(paramsJson) as unknown[];
        calls.push({ method, params });
        try {
          return JSON.stringify({ result: await answer(method, params) });
        } catch (error) {
          const { message, code } = error as { message: string; code?: number };
          return JSON.stringify({ error: { message, code: typeof code === 'number' ? code : -32603 } });
        }
      });
      await context.addInitScript(PROVIDER_INIT_SCRIPT);
    },
  };
}
