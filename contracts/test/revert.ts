import { expect } from 'vitest';
import { decodeRevert, type DecodedRevert } from '@microraiden/contracts';

/** Await `action`, which must revert with decodable revert data, and return the decoded error. */
export async function revertOf(action: Promise<unknown>): Promise<DecodedRevert> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  if (caught === undefined) throw new Error('expected a revert, but the call succeeded');
  const decoded = decodeRevert(caught);
  if (!decoded) throw new Error(`expected a decodable revert, got: ${String(caught)}`);
  return decoded;
}

/** Assert `action` reverts with the custom error `name` and exactly `args`. */
export async function expectRevert(
  action: Promise<unknown>,
  name: string,
  args: unknown[] = [],
): Promise<void> {
  const { name: actualName, args: actualArgs } = await revertOf(action);
  expect({ name: actualName, args: actualArgs }).toEqual({ name, args });
}
