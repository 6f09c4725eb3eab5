import { MicroraidenError } from '@microraiden/errors';
import { decodeRevert, type DecodedRevert } from './decode-revert';

/** A contract call reverted with a known Solidity error; `revert` has its name and arguments. */
export class ContractRevertedError extends MicroraidenError<'CONTRACT_REVERTED'> {
  override readonly name = 'ContractRevertedError';

  constructor(
    readonly revert: DecodedRevert,
    options?: { cause?: unknown },
  ) {
    super(
      'CONTRACT_REVERTED',
      `contract reverted with ${revert.name}`,
      {
        error: revert.name,
        signature: revert.signature,
        args: JSON.stringify(revert.args, (_key, value: unknown) =>
          typeof value === 'bigint' ? value.toString() : value,
        ),
      },
      options,
    );
  }

  /** The typed error for `error` when it carries a decodable revert, otherwise undefined. */
  static from(error: unknown): ContractRevertedError | undefined {
    const revert = decodeRevert(error);
    return revert ? new ContractRevertedError(revert, { cause: error }) : undefined;
  }
}
