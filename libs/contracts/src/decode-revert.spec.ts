import { Interface, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { ContractRevertedError } from './contract-reverted-error';
import { decodeRevert, revertDataOf } from './decode-revert';
import { microTransferChannelsAbi } from './generated/micro-transfer-channels';

const manager = new Interface(microTransferChannelsAbi);

describe('decodeRevert', () => {
  it('decodes a channel manager custom error with its arguments', () => {
    const data = manager.encodeErrorResult('BalanceExceedsDeposit', [1_001n, 1_000n]);
    expect(decodeRevert(data)).toEqual({
      name: 'BalanceExceedsDeposit',
      signature: 'BalanceExceedsDeposit(uint256,uint256)',
      args: [1_001n, 1_000n],
      data,
    });
  });

  it('finds the data nested in an ethers / JSON-RPC error', () => {
    const data = manager.encodeErrorResult('ChannelNotFound', [id('x')]);
    const ethersLike = {
      code: 'CALL_EXCEPTION',
      info: { error: { code: 3, message: 'execution reverted', data } },
    };
    expect(revertDataOf(ethersLike)).toBe(data);
    expect(decodeRevert(ethersLike)?.args).toEqual([id('x')]);
  });

  it('decodes MicroToken errors, require strings and panics', () => {
    const token = new Interface(['error ERC2612ExpiredSignature(uint256 deadline)']);
    expect(decodeRevert(token.encodeErrorResult('ERC2612ExpiredSignature', [5n]))?.name).toBe(
      'ERC2612ExpiredSignature',
    );
    const builtin = new Interface(['error Error(string)', 'error Panic(uint256)']);
    expect(decodeRevert(builtin.encodeErrorResult('Error', ['nope']))).toMatchObject({
      name: 'Error',
      args: ['nope'],
    });
    expect(decodeRevert(builtin.encodeErrorResult('Panic', [0x11n]))).toMatchObject({
      name: 'Panic',
      args: [0x11n],
    });
  });

  it('returns undefined without revert data or for an unknown selector, unless its ABI is given', () => {
    expect(decodeRevert(new Error('boom'))).toBeUndefined();
    expect(decodeRevert({ data: '0x' })).toBeUndefined();
    const other = new Interface(['error Nope(uint8 reason)']);
    const data = other.encodeErrorResult('Nope', [3]);
    expect(decodeRevert(data)).toBeUndefined();
    expect(decodeRevert(data, [other])?.args).toEqual([3n]);
  });
});

describe('ContractRevertedError', () => {
  it('carries the decoded revert under a stable code with JSON-safe details', () => {
    const data = manager.encodeErrorResult('NotSender', ['0x000000000000000000000000000000000000dEaD']);
    const error = ContractRevertedError.from({ data });
    expect(error?.code).toBe('CONTRACT_REVERTED');
    expect(error?.revert.name).toBe('NotSender');
    expect(error?.toJSON().details).toEqual({
      error: 'NotSender',
      signature: 'NotSender(address)',
      args: '["0x000000000000000000000000000000000000dEaD"]',
    });
    expect(ContractRevertedError.from(new Error('no data'))).toBeUndefined();
  });
});
