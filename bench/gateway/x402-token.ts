// The USDC-like EIP-3009 token x402's `exact` EVM scheme needs, for the gateway bench: compiled offline with
// solc-js (same standard-JSON settings as contracts/scripts/compile.ts) and deployed on the bench's anvil.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import solc from 'solc';
import { createWalletClient, http, publicActions, type Abi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvilChain } from './x402-chain';

const SOURCE = path.join(__dirname, 'x402', 'Eip3009Token.sol');

/** The EIP-712 domain the token signs under; x402 servers advertise it in `extra` of their requirements. */
export const BENCH_TOKEN_DOMAIN = { name: 'Bench USD', version: '2' } as const;

export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Compile bench/gateway/x402/Eip3009Token.sol; imports come from node_modules, never the network. */
export function compileEip3009Token(): CompiledContract {
  const input = {
    language: 'Solidity',
    sources: { 'Eip3009Token.sol': { content: readFileSync(SOURCE, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const findImport = (importPath: string) => {
    try {
      return { contents: readFileSync(require.resolve(importPath), 'utf8') };
    } catch {
      return { error: `${importPath} not found in node_modules` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.['Eip3009Token.sol']?.['Eip3009Token'];
  if (!contract) throw new Error('solc produced no Eip3009Token');
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

/** Deploy the token from `deployerKey` (which must hold ETH), minting `supply` base units to `holder`. */
export async function deployEip3009Token(
  rpcUrl: string,
  deployerKey: Hex,
  holder: Address,
  supply: bigint,
): Promise<Address> {
  const { abi, bytecode } = compileEip3009Token();
  const client = createWalletClient({
    account: privateKeyToAccount(deployerKey),
    chain: anvilChain,
    transport: http(rpcUrl),
    pollingInterval: 50,
  }).extend(publicActions);
  const hash = await client.deployContract({
    abi,
    bytecode,
    args: [BENCH_TOKEN_DOMAIN.name, BENCH_TOKEN_DOMAIN.version, holder, supply],
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error(`token deploy failed: ${hash}`);
  return receipt.contractAddress;
}
