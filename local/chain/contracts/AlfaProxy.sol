// SPDX-License-Identifier: MIT
// EIP-1967 proxies for the local Avantis contracts, so the chain can upgrade in place from v1.5 to
// v2 as Base did on 2026-08-12 (same addresses, new implementations, storage kept). AlfaProxy is a
// transparent proxy: only its admin (the ProxyAdmin) reaches the upgrade entry, everyone else is
// delegated to the implementation. ProxyAdmin upgrades every proxy in one transaction, so all the
// Upgraded logs of the v2 upgrade share one block, the block an indexer switches decoders at.
pragma solidity ^0.8.20;

contract AlfaProxy {
    /// bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1)
    bytes32 private constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    /// bytes32(uint256(keccak256('eip1967.proxy.admin')) - 1)
    bytes32 private constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;
    /// upgradeToAndCall(address,bytes): reachable by the admin only.
    bytes4 private constant UPGRADE_SELECTOR = 0x4f1ef286;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    /// `data` runs on the new implementation in the proxy's storage (the initializer); constructor
    /// state of implementations would live in the implementation, not here.
    constructor(address implementation, address admin, bytes memory data) {
        assembly {
            sstore(ADMIN_SLOT, admin)
        }
        emit AdminChanged(address(0), admin);
        _upgrade(implementation, data);
    }

    fallback() external payable {
        address admin;
        assembly {
            admin := sload(ADMIN_SLOT)
        }
        if (msg.sender == admin && msg.sig == UPGRADE_SELECTOR) {
            (address implementation, bytes memory data) = abi.decode(msg.data[4:], (address, bytes));
            _upgrade(implementation, data);
            return;
        }
        _delegate();
    }

    receive() external payable {
        _delegate();
    }

    function _upgrade(address implementation, bytes memory data) private {
        require(implementation.code.length > 0, 'NOT_A_CONTRACT');
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        emit Upgraded(implementation);
        if (data.length > 0) {
            (bool ok, bytes memory result) = implementation.delegatecall(data);
            if (!ok) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
        }
    }

    function _delegate() private {
        assembly {
            let implementation := sload(IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), implementation, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }
}

/// Owned by the deployer; the admin of every AlfaProxy.
contract ProxyAdmin {
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    /// Upgrades every proxy in one transaction; datas[i] (may be empty) runs as the initializer.
    function upgradeAll(address[] calldata proxies, address[] calldata implementations, bytes[] calldata datas) external {
        require(msg.sender == owner, 'NOT_OWNER');
        require(proxies.length == implementations.length && proxies.length == datas.length, 'LENGTH_MISMATCH');
        for (uint256 i = 0; i < proxies.length; i++) {
            (bool ok, bytes memory result) = proxies[i].call(
                abi.encodeWithSelector(0x4f1ef286, implementations[i], datas[i])
            );
            if (!ok) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
        }
    }
}

/// The TradingRouter before v2: its address exists from the first block (it is the EIP-712
/// verifyingContract), but nothing routes through it yet [local].
contract NotLiveRouter {
    error NotLive();

    fallback() external payable {
        revert NotLive();
    }
}
