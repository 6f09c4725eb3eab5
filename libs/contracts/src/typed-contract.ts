import type {
  AddressLike,
  BaseContract,
  BaseContractMethod,
  BigNumberish,
  BytesLike,
  ContractRunner,
  ContractTransactionResponse,
} from 'ethers';

interface AbiParameter {
  readonly type: string;
  readonly name?: string;
}

interface AbiFunction {
  readonly type: 'function';
  readonly name: string;
  readonly inputs: readonly AbiParameter[];
  readonly outputs: readonly AbiParameter[];
  readonly stateMutability: 'pure' | 'view' | 'nonpayable' | 'payable';
}

/** What ethers accepts for an argument of Solidity type `T`. */
type InputValue<T extends string> = T extends `${infer Element}[]`
  ? readonly InputValue<Element>[]
  : T extends 'address'
    ? AddressLike
    : T extends `uint${string}` | `int${string}`
      ? BigNumberish
      : T extends 'bool'
        ? boolean
        : T extends 'string'
          ? string
          : T extends `bytes${string}`
            ? BytesLike
            : unknown;

/** What ethers returns for a value of Solidity type `T` (every integer width decodes to bigint). */
type OutputValue<T extends string> = T extends `${infer Element}[]`
  ? OutputValue<Element>[]
  : T extends 'address' | 'string' | `bytes${string}`
    ? string
    : T extends `uint${string}` | `int${string}`
      ? bigint
      : T extends 'bool'
        ? boolean
        : unknown;

type Inputs<P extends readonly AbiParameter[]> = {
  -readonly [K in keyof P]: P[K] extends AbiParameter ? InputValue<P[K]['type']> : never;
};

type Outputs<P extends readonly AbiParameter[]> = P extends readonly []
  ? void
  : P extends readonly [infer Only extends AbiParameter]
    ? OutputValue<Only['type']>
    : { -readonly [K in keyof P]: P[K] extends AbiParameter ? OutputValue<P[K]['type']> : never };

type Method<F extends AbiFunction> = F['stateMutability'] extends 'view' | 'pure'
  ? BaseContractMethod<Inputs<F['inputs']>, Outputs<F['outputs']>, Outputs<F['outputs']>>
  : BaseContractMethod<Inputs<F['inputs']>, Outputs<F['outputs']>, ContractTransactionResponse>;

type JoinTypes<P extends readonly AbiParameter[]> = P extends readonly [
  infer Head extends AbiParameter,
  ...infer Rest extends readonly AbiParameter[],
]
  ? Rest extends readonly []
    ? Head['type']
    : `${Head['type']},${JoinTypes<Rest>}`
  : '';

type FunctionsOf<Abi extends readonly unknown[]> = Extract<Abi[number], AbiFunction>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** Overloads share a name: the named member accepts every overload; the signature keys pick one. */
type MethodsByName<Abi extends readonly unknown[]> = {
  [N in FunctionsOf<Abi>['name']]: UnionToIntersection<
    Extract<FunctionsOf<Abi>, { name: N }> extends infer F
      ? F extends AbiFunction
        ? Method<F>
        : never
      : never
  >;
};

type MethodsBySignature<Abi extends readonly unknown[]> = {
  [F in FunctionsOf<Abi> as `${F['name']}(${JoinTypes<F['inputs']>})`]: Method<F>;
};

/**
 * An ethers v6 contract whose methods are typed from an `as const` ABI: arguments, return values, and
 * whether calling sends a transaction (non-view) or reads (view/pure).
 */
export type TypedContract<Abi extends readonly unknown[]> = Omit<BaseContract, 'connect'> &
  MethodsByName<Abi> &
  MethodsBySignature<Abi> & {
    /** The same contract bound to another signer or provider. */
    connect(runner: ContractRunner | null): TypedContract<Abi>;
  };
