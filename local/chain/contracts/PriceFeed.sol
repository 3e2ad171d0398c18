// SPDX-License-Identifier: MIT
// Local price oracle: keepers push one price per pair (1e10). Stands in for Avantis' Pyth-based
// PriceAggregator; prices are read synchronously (v1.5: market orders fill in the same transaction;
// v2: a keeper fills them a block later at the price then). Behind an AlfaProxy: initialize().
pragma solidity ^0.8.20;

contract PriceFeed {
    address public owner;
    mapping(address => bool) public keepers;
    mapping(uint256 => uint256) private prices;
    mapping(uint256 => uint256) public updatedAt;

    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
        keepers[msg.sender] = true;
    }

    modifier onlyKeeper() {
        require(keepers[msg.sender], 'NOT_KEEPER');
        _;
    }

    function setKeeper(address keeper, bool enabled) external {
        require(msg.sender == owner, 'NOT_OWNER');
        keepers[keeper] = enabled;
    }

    function setPrice(uint256 pairIndex, uint256 price) external onlyKeeper {
        _set(pairIndex, price);
    }

    /// One transaction per tick for every pair keeps the keeper's nonce traffic small.
    function setPrices(uint256[] calldata pairIndexes, uint256[] calldata newPrices) external onlyKeeper {
        require(pairIndexes.length == newPrices.length, 'LENGTH_MISMATCH');
        for (uint256 i = 0; i < pairIndexes.length; i++) _set(pairIndexes[i], newPrices[i]);
    }

    function getPrice(uint256 pairIndex) external view returns (uint256) {
        uint256 p = prices[pairIndex];
        require(p > 0, 'NO_PRICE');
        return p;
    }

    function _set(uint256 pairIndex, uint256 price) private {
        require(price > 0, 'WRONG_PRICE');
        prices[pairIndex] = price;
        updatedAt[pairIndex] = block.timestamp;
    }
}
