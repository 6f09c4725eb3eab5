/**
 * Measures gasUsed of every channel operation on anvil, writes contracts/gas-snapshot.json and the gas table
 * of contracts/README.md (between the gas-table markers).
 *
 *   node -r @swc-node/register contracts/scripts/gas-report.ts            # private anvil
 *   node -r @swc-node/register contracts/scripts/gas-report.ts --rpc URL  # an anvil you run
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startAnvil } from '@microraiden/testing';
import { connectAnvil } from '../test/anvil-chain';
import { writeGasSnapshot } from '../test/gas-snapshot';
import { GAS_OPERATIONS, measureGas, type GasMeasurements, type GasOperation } from '../test/measure-gas';

const README = path.resolve(__dirname, '../README.md');
const START = '<!-- gas-table:start -->';
const END = '<!-- gas-table:end -->';

/**
 * µRaiden 0.2's published "Gas cost (testing)" figures (raiden-network/microraiden, docs/contract/index.rst
 * and docs/contract/api.rst). Measured in 2017/18 under the pre-Berlin gas schedule (no cold-access
 * surcharge, larger refunds): indicative only. It published none for withdraw.
 */
const MICRORAIDEN_02: Partial<Record<GasOperation, number>> = {
  createChannel: 120_090,
  createChannelErc223: 88_976,
  topUp: 85_414,
  topUpErc223: 54_885,
  cooperativeClose: 71_182,
  uncooperativeClose: 53_876,
  settle: 40_896,
};

function renderTable(measured: GasMeasurements): string {
  const transfer = measured.erc20Transfer;
  const rows = (Object.keys(GAS_OPERATIONS) as GasOperation[]).map((operation) => {
    const gas = measured[operation];
    const old = MICRORAIDEN_02[operation];
    const ratio = (Number(gas) / Number(transfer)).toFixed(2);
    return `| ${GAS_OPERATIONS[operation]} | ${gas.toLocaleString('en-US')} | ${ratio}× | ${old === undefined ? '—' : old.toLocaleString('en-US')} |`;
  });
  return [
    '| Operation | gasUsed | vs ERC-20 transfer | µRaiden 0.2 (published) |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rpc: { type: 'string' } } });
  const anvil = values.rpc ? undefined : await startAnvil();
  try {
    const rpcUrl = values.rpc ?? anvil!.rpcUrl;
    const measured = await measureGas(await connectAnvil(rpcUrl));
    writeGasSnapshot(measured);

    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${README} lacks the ${START} ... ${END} markers`);
    writeFileSync(
      README,
      `${readme.slice(0, start + START.length)}\n${renderTable(measured)}\n${readme.slice(end)}`,
    );

    for (const operation of Object.keys(GAS_OPERATIONS) as GasOperation[]) {
      console.log(`${operation.padEnd(26)} ${measured[operation].toString().padStart(8)}`);
    }
    console.log('wrote contracts/gas-snapshot.json and the gas table of contracts/README.md');
  } finally {
    await anvil?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
