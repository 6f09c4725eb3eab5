// secp256k1 ECDSA in a few dozen lines of bigint arithmetic, for the browser paywall page's session key: the page
// signs a balance proof per paid page with a key of its own, and @noble/curves would almost double its script
// (42 kB minified against the page's 44 kB). Signatures are RFC 6979 deterministic and low-s, byte for byte what
// the protocol's signDigest (noble or libsecp256k1) makes, which the spec checks. HMAC-SHA256 comes from WebCrypto
// (crypto.subtle: secure contexts only, see sessionKeysAvailable). Not constant time, like any bigint JS: fine for
// a key that can spend at most one channel's deposit, not for a wallet's key.
import { SECP256K1_N as N } from '@microraiden/protocol';

const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

const mod = (a: bigint, m = P): bigint => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

/** a^-1 mod m by Fermat (m is prime for both P and N). */
function invert(a: bigint, m: bigint): bigint {
  let result = 1n;
  let base = mod(a, m);
  for (let e = m - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}

function double(p: Jacobian): Jacobian {
  if (p.z === 0n || p.y === 0n) return { x: 0n, y: 1n, z: 0n };
  const a = mod(p.x * p.x);
  const b = mod(p.y * p.y);
  const c = mod(b * b);
  const d = mod(2n * (mod((p.x + b) * (p.x + b)) - a - c));
  const e = mod(3n * a);
  const x = mod(e * e - 2n * d);
  return { x, y: mod(e * (d - x) - 8n * c), z: mod(2n * p.y * p.z) };
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const pz2 = mod(p.z * p.z);
  const qz2 = mod(q.z * q.z);
  const u1 = mod(p.x * qz2);
  const u2 = mod(q.x * pz2);
  const s1 = mod(p.y * q.z * qz2);
  const s2 = mod(q.y * p.z * pz2);
  if (u1 === u2) return s1 === s2 ? double(p) : { x: 0n, y: 1n, z: 0n };
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  const h2 = mod(h * h);
  const h3 = mod(h * h2);
  const u1h2 = mod(u1 * h2);
  const x = mod(r * r - h3 - 2n * u1h2);
  return { x, y: mod(r * (u1h2 - x) - s1 * h3), z: mod(h * p.z * q.z) };
}

/** k·G in affine coordinates (k in 1..n-1, so never infinity). */
function multiplyG(k: bigint): { x: bigint; y: bigint } {
  let acc: Jacobian = { x: 0n, y: 1n, z: 0n };
  let addend: Jacobian = { x: GX, y: GY, z: 1n };
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) acc = add(acc, addend);
    addend = double(addend);
  }
  const zi = invert(acc.z, P);
  const zi2 = mod(zi * zi);
  return { x: mod(acc.x * zi2), y: mod(acc.y * zi2 * zi) };
}

const toInt = (bytes: Uint8Array): bigint => bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);

function toBytes(value: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** True when `key` is a usable secp256k1 private key (32 bytes, 1..n-1). */
export function isValidSecretKey(key: Uint8Array): boolean {
  const d = toInt(key);
  return key.length === 32 && d > 0n && d < N;
}

/** The 65-byte uncompressed public key (0x04‖x‖y) of a valid private key. */
export function publicKeyOf(key: Uint8Array): Uint8Array {
  const { x, y } = multiplyG(toInt(key));
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(toBytes(x), 1);
  out.set(toBytes(y), 33);
  return out;
}

async function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  // A copy on a plain ArrayBuffer: WebCrypto's types take no views of shared memory.
  const raw = Uint8Array.from(key);
  const handle = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const data = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await subtle.sign('HMAC', handle, data));
}

/**
 * Signs a 32-byte digest: RFC 6979 nonce (HMAC-SHA256), low s, recovery id as Ethereum needs it. Returns the
 * 64-byte r‖s and the recovery id, as Secp256k1Backend.sign does.
 */
export async function signDigestSmall(
  digest: Uint8Array,
  key: Uint8Array,
): Promise<{ compact: Uint8Array; recoveryId: number }> {
  if (digest.length !== 32 || !isValidSecretKey(key)) throw new RangeError('bad digest or private key');
  const d = toInt(key);
  const z = toInt(digest) % N;
  const seed = [key, toBytes(z)];
  let v: Uint8Array = new Uint8Array(32).fill(1);
  let k: Uint8Array = await hmacSha256(new Uint8Array(32), v, Uint8Array.of(0), ...seed);
  v = await hmacSha256(k, v);
  k = await hmacSha256(k, v, Uint8Array.of(1), ...seed);
  v = await hmacSha256(k, v);
  for (;;) {
    v = await hmacSha256(k, v);
    const nonce = toInt(v);
    if (nonce > 0n && nonce < N) {
      const point = multiplyG(nonce);
      const r = point.x % N;
      let s = (invert(nonce, N) * ((z + r * d) % N)) % N;
      if (r !== 0n && s !== 0n) {
        let recoveryId = (point.x === r ? 0 : 2) | Number(point.y & 1n);
        if (s > N >> 1n) {
          s = N - s;
          recoveryId ^= 1;
        }
        const compact = new Uint8Array(64);
        compact.set(toBytes(r), 0);
        compact.set(toBytes(s), 32);
        return { compact, recoveryId };
      }
    }
    k = await hmacSha256(k, v, Uint8Array.of(0));
    v = await hmacSha256(k, v);
  }
}
