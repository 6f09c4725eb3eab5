import { ErrorFragment, Interface, isHexString, type InterfaceAbi } from 'ethers';
import { microTokenAbi } from './generated/micro-token';
import { microTransferChannelsAbi } from './generated/micro-transfer-channels';

/** A revert decoded into the Solidity error that caused it. */
export interface DecodedRevert {
  /** Error name, e.g. `BalanceExceedsDeposit`; `Error` for require strings, `Panic` for assertion/overflow. */
  name: string;
  /** Full signature, e.g. `BalanceExceedsDeposit(uint256,uint256)`. */
  signature: string;
  /** Decoded arguments in declaration order (uint -> bigint, address -> checksummed string, ...). */
  args: unknown[];
  /** The raw revert data. */
  data: string;
}

/** Names of the custom errors the channel manager can revert with (its own and the OpenZeppelin ones it uses). */
export type ChannelManagerErrorName = Extract<
  (typeof microTransferChannelsAbi)[number],
  { type: 'error' }
>['name'];

/** One interface holding every error the channel manager and MicroToken can raise, deduplicated by selector. */
function errorInterface(abis: readonly (InterfaceAbi | Interface)[]): Interface {
  const bySelector = new Map<string, ErrorFragment>();
  for (const abi of abis) {
    for (const fragment of Interface.from(abi).fragments) {
      if (fragment instanceof ErrorFragment && !bySelector.has(fragment.selector)) {
        bySelector.set(fragment.selector, fragment);
      }
    }
  }
  return new Interface([...bySelector.values()]);
}

// Built on the first revert, not at import: parsing both ABIs costs ~25 ms, paid by every process that loads
// this library (each CLI start among them) though most never decode a revert.
let knownErrorsInterface: Interface | undefined;
function knownErrors(): Interface {
  return (knownErrorsInterface ??= errorInterface([microTransferChannelsAbi, microTokenAbi]));
}

/**
 * The revert data carried by `error`: a hex string itself, or an ethers/JSON-RPC error that has it
 * somewhere in `data`, `error`, `info` or `cause` (the nesting differs between call, estimateGas and send).
 */
export function revertDataOf(error: unknown, depth = 0): string | undefined {
  if (typeof error === 'string') return isHexString(error) && error.length >= 10 ? error : undefined;
  if (typeof error !== 'object' || error === null || depth > 6) return undefined;
  const record = error as Record<string, unknown>;
  for (const key of ['data', 'error', 'info', 'cause', 'revert']) {
    const found = revertDataOf(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Decode a revert (an ethers error, a JSON-RPC error or raw revert data) into the error's name and arguments,
 * using the channel manager's and MicroToken's ABIs plus `extraAbis`. Undefined when there is no revert data
 * or the selector is unknown.
 */
export function decodeRevert(
  error: unknown,
  extraAbis: readonly (InterfaceAbi | Interface)[] = [],
): DecodedRevert | undefined {
  const data = revertDataOf(error);
  if (!data) return undefined;
  const iface = extraAbis.length === 0 ? knownErrors() : errorInterface([...extraAbis, knownErrors()]);
  try {
    const description = iface.parseError(data);
    if (!description) return undefined;
    return {
      name: description.name,
      signature: description.signature,
      args: description.args.toArray(),
      data,
    };
  } catch {
    return undefined;
  }
}
