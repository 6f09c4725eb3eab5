import { describe, expect, inject, it } from 'vitest';
import { connectAnvil } from './anvil-chain';
import { GAS_OPERATIONS, measureGas } from './measure-gas';
import { gasRegressions, readGasSnapshot } from './gas-snapshot';

describe('gas snapshot', () => {
  it('lists exactly the measured operations', () => {
    expect(Object.keys(readGasSnapshot())).toEqual(Object.keys(GAS_OPERATIONS));
  });

  it('no operation costs more than 2% above contracts/gas-snapshot.json (update: npm run contracts:gas)', async () => {
    const measured = await measureGas(await connectAnvil(inject('rpcUrl')));
    expect(gasRegressions(measured, readGasSnapshot())).toEqual([]);
  });
});
