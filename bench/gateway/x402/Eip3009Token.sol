// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title Bench-only USDC-like token with EIP-3009 transferWithAuthorization
 * @notice Exists only so the gateway bench can run x402's `exact` EVM scheme against a local anvil: x402 settles
 * each payment by submitting the payer's signed authorization on-chain. The whole supply goes to `holder`.
 * Not deployed anywhere else; not audited.
 */
contract Eip3009Token is ERC20, EIP712 {
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH =
        keccak256(
            "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
        );

    /// @notice Whether `authorizer` already used `nonce` (EIP-3009).
    mapping(address authorizer => mapping(bytes32 nonce => bool used)) public authorizationState;

    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    error AuthorizationNotYetValid();
    error AuthorizationExpired();
    error AuthorizationUsedOrCanceled();
    error InvalidSignature();

    constructor(
        string memory name_,
        string memory version_,
        address holder,
        uint256 supply
    ) ERC20(name_, "BUSD") EIP712(name_, version_) {
        _mint(holder, supply);
    }

    /// @notice The EIP-712 domain version; x402 facilitators read it to check the client signed the right domain.
    function version() external view returns (string memory) {
        return _EIP712Version();
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Execute a transfer `from` signed off-chain (EIP-3009); anyone may submit it.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp <= validAfter) revert AuthorizationNotYetValid();
        if (block.timestamp >= validBefore) revert AuthorizationExpired();
        if (authorizationState[from][nonce]) revert AuthorizationUsedOrCanceled();
        bytes32 structHash = keccak256(
            abi.encode(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce)
        );
        if (ECDSA.recover(_hashTypedDataV4(structHash), v, r, s) != from) revert InvalidSignature();
        authorizationState[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
        _transfer(from, to, value);
    }
}
