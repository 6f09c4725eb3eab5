import { bytesEqual } from './hex';

// A gateway sees the same senders again and again. Once a recovered public key has hashed to a sender's
// address, a later recovery that yields the very same 65 bytes is that sender: comparing the bytes saves the
// keccak of the key (about 1.6 µs of the ~50 µs a check costs). Bounded like parseAddress's cache, so hostile
// input can only make it clear itself; only keys proven by a hash are ever stored.
const provenKeys = new Map<string, Uint8Array>();
const PROVEN_KEYS_LIMIT = 4096;

/** True when `publicKey` is the key already proven to belong to `address` (exact spelling). */
export function isProvenKey(address: string, publicKey: Uint8Array): boolean {
  const known = provenKeys.get(address);
  return known !== undefined && bytesEqual(known, publicKey);
}

/** Records that keccak(`publicKey`) was checked to equal `address`; the caller must have checked it. */
export function rememberProvenKey(address: string, publicKey: Uint8Array): void {
  if (provenKeys.size >= PROVEN_KEYS_LIMIT) provenKeys.clear();
  provenKeys.set(address, publicKey);
}
