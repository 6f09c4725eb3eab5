import { toChecksumAddress } from './address';
import { bytesToHex, hexToBytes } from './hex';
import { invalidArgument } from './protocol-error';

/** One EIP-712 signing request as wallets take it (viem's shape; `types` without EIP712Domain). */
export interface TypedDataRequest {
  readonly domain: {
    readonly name?: string;
    readonly version?: string;
    readonly chainId?: bigint;
    readonly verifyingContract?: string;
  };
  readonly types: Record<string, Array<{ name: string; type: string }>>;
  readonly primaryType: string;
  readonly message: Record<string, unknown>;
}

/** eth_signTypedData_v4's typed-data object: plain JSON, EIP712Domain spelled out in `types`. */
export interface TypedDataPayload {
  readonly types: Record<string, Array<{ name: string; type: string }>>;
  readonly domain: { name?: string; version?: string; chainId?: number | string; verifyingContract?: string };
  readonly primaryType: string;
  readonly message: Record<string, string | boolean>;
}

const DOMAIN_FIELD_TYPES = {
  name: 'string',
  version: 'string',
  chainId: 'uint256',
  verifyingContract: 'address',
};

/**
 * The JSON object eth_signTypedData_v4 takes for `request`, spelt as ethers' TypedDataEncoder.getPayload spells
 * it (wallets hash what they parse, so only the values matter, but one spelling keeps payloads comparable):
 * EIP712Domain lists the domain fields present, the chain id is a number (wallets compare it with theirs; a hex
 * quantity past 2^53, where ethers always writes one),
 * integers are decimal strings, addresses and bytes lowercase hex. Only flat structs (atomic fields) are
 * supported — BalanceProof, ClosingProof and EIP-2612 Permit are; anything else throws INVALID_ARGUMENT.
 */
export function typedDataPayload(request: TypedDataRequest): TypedDataPayload {
  const fields = request.types[request.primaryType];
  if (fields === undefined) invalidArgument('primaryType', `no type named ${request.primaryType}`);
  if ('EIP712Domain' in request.types) invalidArgument('types', 'must not contain EIP712Domain');
  const message: Record<string, string | boolean> = {};
  for (const { name, type } of fields) message[name] = encodeValue(name, type, request.message[name]);
  const types: Record<string, Array<{ name: string; type: string }>> = {};
  for (const [name, list] of Object.entries(request.types)) {
    types[name] = list.map((field) => ({ name: field.name, type: field.type }));
  }
  const { domain, domainTypes } = payloadDomain(request.domain);
  types.EIP712Domain = domainTypes;
  return { types, domain, primaryType: request.primaryType, message };
}

function payloadDomain(source: TypedDataRequest['domain']): {
  domain: TypedDataPayload['domain'];
  domainTypes: Array<{ name: string; type: string }>;
} {
  const domain: { name?: string; version?: string; chainId?: number | string; verifyingContract?: string } =
    {};
  const domainTypes: Array<{ name: string; type: string }> = [];
  for (const name of ['name', 'version', 'chainId', 'verifyingContract'] as const) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    domainTypes.push({ name, type: DOMAIN_FIELD_TYPES[name] });
    if (name === 'chainId') {
      const chainId = encodeValue('domain.chainId', 'uint256', value) as string;
      domain.chainId = Number.isSafeInteger(Number(chainId))
        ? Number(chainId)
        : `0x${BigInt(chainId).toString(16)}`;
    } else if (name === 'verifyingContract') {
      domain.verifyingContract = encodeValue('domain.verifyingContract', 'address', value) as string;
    } else {
      domain[name] = encodeValue(`domain.${name}`, 'string', value) as string;
    }
  }
  return { domain, domainTypes };
}

function encodeValue(field: string, type: string, value: unknown): string | boolean {
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) return encodeInteger(field, int[1] === 'u', Number(int[2]), value);
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) return encodeBytes(field, Number(fixed[1]), value);
  if (type === 'address') return encodeAddress(field, value);
  if (type === 'bool' && typeof value === 'boolean') return value;
  if (type === 'string' && typeof value === 'string') return value;
  return invalidArgument(field, `must be a ${type} (flat EIP-712 structs only)`);
}

function encodeInteger(field: string, unsigned: boolean, bits: number, value: unknown): string {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^(0|-?[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(value)) n = BigInt(value);
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (n === undefined || n < min || n > max)
    invalidArgument(field, `must be an integer fitting ${unsigned ? 'u' : ''}int${bits}`);
  return n.toString(10);
}

function encodeBytes(field: string, length: number, value: unknown): string {
  const bytes = typeof value === 'string' ? hexToBytes(value, length) : undefined;
  if (bytes === undefined) invalidArgument(field, `must be 0x followed by ${length * 2} hex digits`);
  return bytesToHex(bytes);
}

function encodeAddress(field: string, value: unknown): string {
  const address = typeof value === 'string' ? toChecksumAddress(value) : undefined;
  if (address === undefined)
    invalidArgument(field, 'must be an address (0x + 40 hex, valid EIP-55 checksum)');
  return address.toLowerCase();
}
