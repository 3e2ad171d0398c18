// SPDX-License-Identifier: MIT
// PairInfos v2: values a closing trade with the v2 fees (closing fee, rollover, funding; the
// max-gain cap is applied by the caller's percentProfit) and emits the v2 FeesCharged with the
// signed fundingFee appended (docs/avantis.md v2 §7, inferred layout). Storage: v1's two slots, unchanged.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';
import './AvantisV2Types.sol';

contract PairInfosV2 is IPairInfosV2 {
    // ---- v1.5 layout (PairInfos), in order ----
    address public owner;
    address public callbacks;

    address public immutable pairStorage;
    address public immutable storageT;

    event FeesCharged(
        bool buy,
        uint256 collateral,
        uint256 leverage,
        int256 percentProfit,
        uint256 r,
        uint256 closingFee,
        uint256 lossProtection,
        int256 fundingFee
    );

    constructor(address _pairStorage, address _storageT) {
        pairStorage = _pairStorage;
        storageT = _storageT;
    }

    function liqThreshold() external pure returns (uint256) {
        return AvantisMathV2.LIQ_THRESHOLD_P;
    }

    /// `collateral` is the part being closed; rollover and funding are the part's own.
    function getTradeValueV2(
        Trade memory t,
        uint256 collateral,
        int256 percentProfit,
        uint256 closingFee,
        uint256 rolloverFee,
        int256 fundingFee
    ) external returns (uint256) {
        require(msg.sender == callbacks, 'NOT_CALLBACKS');
        emit FeesCharged(t.buy, collateral, t.leverage, percentProfit, rolloverFee, closingFee, 0, fundingFee);
        return AvantisMathV2.tradeValue(collateral, percentProfit, closingFee + rolloverFee, fundingFee);
    }

    function _accrued(address trader, uint256 pairIndex, uint256 index) private view returns (Trade memory t, uint256 elapsed, PairParamsV2 memory pp) {
        t = ITradingStorage(storageT).openTrades(trader, pairIndex, index);
        uint256 since = ITradingStorageV2(storageT).accrualStart(trader, pairIndex, index);
        elapsed = block.timestamp > since ? block.timestamp - since : 0;
        pp = IPairStorageV2(pairStorage).pairParamsV2(pairIndex);
    }

    /// Rollover accrued on the whole trade so far (USDC 1e6).
    function getTradeRolloverFee(address trader, uint256 pairIndex, uint256 index) external view returns (uint256) {
        (Trade memory t, uint256 elapsed, PairParamsV2 memory pp) = _accrued(trader, pairIndex, index);
        return AvantisMathV2.rolloverFee(t.initialPosToken, pp.rolloverFeePerHourP, elapsed);
    }

    /// Funding accrued on the whole trade so far (USDC 1e6; negative: the trader receives).
    function getTradeFundingFee(address trader, uint256 pairIndex, uint256 index) external view returns (int256) {
        (Trade memory t, uint256 elapsed, PairParamsV2 memory pp) = _accrued(trader, pairIndex, index);
        return AvantisMathV2.fundingFee(t.initialPosToken, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed);
    }

    /// The maker/taker closing fee rate a full close of `t` would pay now (as TradingCallbacks charges it).
    function _closeFeeP(Trade memory t) private view returns (uint256) {
        return AvantisMathV2.closeFeeP(
            IPairStorage(pairStorage).pairCloseFeeP(t.pairIndex),
            ITradingStorageV2(storageT).openInterestUSDC(t.pairIndex, 0),
            ITradingStorageV2(storageT).openInterestUSDC(t.pairIndex, 1),
            (t.initialPosToken * t.leverage) / AvantisMathV2.PRECISION,
            t.buy
        );
    }

    /// docs/avantis.md v2 §8: dist = openPrice·(collateral·0.85 − rollover − funding − closing fee)/(collateral·leverage).
    function getTradeLiquidationPrice(address trader, uint256 pairIndex, uint256 index) external view returns (uint256) {
        (Trade memory t, uint256 elapsed, PairParamsV2 memory pp) = _accrued(trader, pairIndex, index);
        if (t.leverage == 0 || t.initialPosToken == 0) return 0;
        int256 fees = int256(AvantisMathV2.rolloverFee(t.initialPosToken, pp.rolloverFeePerHourP, elapsed)) +
            AvantisMathV2.fundingFee(t.initialPosToken, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed) +
            int256(AvantisMathV2.levFee(t.initialPosToken, t.leverage, _closeFeeP(t)));
        int256 budget = int256((t.initialPosToken * AvantisMathV2.LIQ_THRESHOLD_P) / 100) - fees;
        if (budget <= 0) return t.openPrice;
        uint256 dist = (t.openPrice * uint256(budget) * AvantisMathV2.PRECISION) / t.initialPosToken / t.leverage;
        if (t.buy) return dist >= t.openPrice ? 0 : t.openPrice - dist;
        return t.openPrice + dist;
    }
}
