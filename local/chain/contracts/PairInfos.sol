// SPDX-License-Identifier: MIT
// Local PairInfos: values a closing trade (collateral + pnl - fees, 0 past the 85% liquidation
// threshold) and emits the close-fee breakdown FeesCharged from this address, as on Base.
// v1.5 has no rollover, funding or loss protection locally: r and lossProtection are always 0.
// Behind an AlfaProxy: owner set by initialize(); the immutable lives in the implementation.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';

contract PairInfos is IPairInfos {
    address public owner;
    address public callbacks;
    address public immutable pairStorage;

    event FeesCharged(
        bool buy,
        uint256 collateral,
        uint256 leverage,
        int256 percentProfit,
        uint256 r,
        uint256 closingFee,
        uint256 lossProtection
    );

    constructor(address _pairStorage) {
        pairStorage = _pairStorage;
    }

    function initialize() external {
        require(owner == address(0), 'INITIALIZED');
        owner = msg.sender;
    }

    function setCallbacks(address _callbacks) external {
        require(msg.sender == owner, 'NOT_OWNER');
        callbacks = _callbacks;
    }

    function liqThreshold() external pure returns (uint256) {
        return AvantisMath.LIQ_THRESHOLD_P;
    }

    function getTradeValue(
        bool buy,
        uint256 collateral,
        uint256 leverage,
        int256 percentProfit,
        uint256 closingFee
    ) external returns (uint256) {
        require(msg.sender == callbacks, 'NOT_CALLBACKS');
        emit FeesCharged(buy, collateral, leverage, percentProfit, 0, closingFee, 0);
        return AvantisMath.tradeValue(collateral, percentProfit, closingFee);
    }

    function getTradeValuePure(uint256 collateral, int256 percentProfit, uint256 fees) external pure returns (uint256) {
        return AvantisMath.tradeValue(collateral, percentProfit, fees);
    }

    function getTradeRolloverFee(address, uint256, uint256, bool, uint256, uint256) external pure returns (uint256) {
        return 0;
    }

    /// The price at which the value falls to the threshold, closing fee included (same formula as
    /// the liquidation check, solved for the price; may differ from it by rounding in the last unit).
    function getTradeLiquidationPrice(
        address,
        uint256 pairIndex,
        uint256,
        uint256 openPrice,
        bool long,
        uint256 collateral,
        uint256 leverage
    ) external view returns (uint256) {
        uint256 fee = AvantisMath.levFee(collateral, leverage, IPairStorage(pairStorage).pairCloseFeeP(pairIndex));
        uint256 budget = (collateral * AvantisMath.LIQ_THRESHOLD_P) / 100;
        if (fee >= budget || collateral == 0 || leverage == 0) return openPrice;
        uint256 dist = (openPrice * (budget - fee) * AvantisMath.PRECISION) / collateral / leverage;
        if (long) return dist >= openPrice ? 0 : openPrice - dist;
        return openPrice + dist;
    }
}
