import { invalidArgument } from './protocol-error';

/**
 * The primary type of EIP-712 `types` (EIP712Domain excluded): the one struct no other struct refers to. An
 * ethers Signer's signTypedData gets no primaryType, while wallets (eth_signTypedData_v4, viem) need it.
 * Throws INVALID_ARGUMENT when there is not exactly one such struct.
 */
export function typedDataPrimaryType(
  types: Readonly<Record<string, ReadonlyArray<{ readonly name: string; readonly type: string }>>>,
): string {
  const referenced = new Set(
    Object.values(types).flatMap((fields) => fields.map((field) => field.type.replace(/(\[\d*\])+$/, ''))),
  );
  const roots = Object.keys(types).filter((name) => !referenced.has(name));
  if (roots.length !== 1) invalidArgument('types', `must have exactly one primary type, not ${roots.length}`);
  return roots[0] as string;
}
