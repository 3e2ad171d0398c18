// SPDX-License-Identifier: MIT
// Local PairStorage: the listed pairs with their leverage range, fees and minimum position, read
// through the same getters as Avantis v1.5 (getPairData, pairMinLeverage, pairCloseFeeP, ...).
// Behind an AlfaProxy (owner set by initialize()); PairStorageV2 inherits this layout and appends.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

contract PairStorage is IPairStorage {
    address public owner;
    /// Highest listed index + 1, like Avantis, whose list has delisted gaps (32, 47).
    uint256 public pairsCount;
    mapping(uint256 => PairConfig) internal _pairs;
    mapping(uint256 => bool) internal _listed;

    event PairAdded(uint256 index, bytes32 feedId);

    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
    }

    function addPair(uint256 index, PairConfig calldata cfg, bytes32 feedId) external {
        require(msg.sender == owner, 'NOT_OWNER');
        require(!_listed[index], 'PAIR_ALREADY_LISTED');
        require(cfg.minLeverage > 0 && cfg.minLeverage <= cfg.maxLeverage, 'WRONG_LEVERAGES');
        _pairs[index] = cfg;
        _listed[index] = true;
        if (index >= pairsCount) pairsCount = index + 1;
        emit PairAdded(index, feedId);
    }

    function isListed(uint256 pairIndex) public view returns (bool) {
        return _listed[pairIndex];
    }

    function pairConfig(uint256 pairIndex) external view returns (PairConfig memory) {
        return _pairs[pairIndex];
    }

    function getPairData(
        uint256 _pairIndex
    )
        external
        view
        returns (
            string memory from,
            string memory to,
            uint256 numTiers,
            uint256[] memory tierThresholds,
            uint256[] memory timer
        )
    {
        PairConfig storage p = _pairs[_pairIndex];
        // No loss-protection tiers locally.
        return (p.from, p.to, 0, new uint256[](0), new uint256[](0));
    }

    function pairGroupIndex(uint256 _pairIndex) external view returns (uint256) {
        return _pairs[_pairIndex].groupIndex;
    }

    /// Zero-fee (isPnl) orders are not supported locally, so both ranges are the same.
    function pairMinLeverage(uint256 _pairIndex, bool) external view virtual returns (uint256) {
        return _pairs[_pairIndex].minLeverage;
    }

    function pairMaxLeverage(uint256 _pairIndex, bool) external view virtual returns (uint256) {
        return _pairs[_pairIndex].maxLeverage;
    }

    function pairMinLevPosUSDC(uint256 _pairIndex) external view returns (uint256) {
        return _pairs[_pairIndex].minLevPosUSDC;
    }

    /// Flat fee: no size or skew dependent pricing locally.
    function pairOpenFeeP(uint256 _pairIndex, uint256, bool) external view returns (uint256) {
        return _pairs[_pairIndex].openFeeP;
    }

    function pairCloseFeeP(uint256 _pairIndex) external view returns (uint256) {
        return _pairs[_pairIndex].closeFeeP;
    }
}
