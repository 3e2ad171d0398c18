// SPDX-License-Identifier: MIT
// Trading v2: registers market opens, closes and increases that the TradingRouter verified (signed
// intents), pulls the collateral and emits the v2 MarketOrderInitiated / IncreasePositionRequested;
// a keeper fills them later through TradingCallbacksV2. Also margin updates (by the trader, or a
// delegate through TradingRouter.delegatedAction) and the keeper's TP/SL/liquidation entry. The v1.5
// write entries (openTrade, closeTradeMarket, updateTpAndSl, the 6-argument updateMargin,
// setDelegate(address), delegatedAction) do not exist here, so v1-shaped calls revert (docs/avantis.md v2 §1).
pragma solidity ^0.8.20;

import './AvantisTypes.sol';
import './AvantisV2Types.sol';

contract TradingV2 is ITradingV2 {
    uint256 private constant PRECISION = 1e10;
    uint256 public constant _MAX_SLIPPAGE = 80e10;
    uint256 public constant WITHDRAW_THRESHOLD_P = 80;
    uint8 private constant DEPOSIT = 0;
    uint8 private constant WITHDRAW = 1;
    uint8 private constant OPEN_MARKET = 0;
    uint8 private constant OPEN_MARKET_PNL = 3;

    // ---- v1.5 layout (Trading), in order: the proxy's storage carries it over ----
    address public owner;
    bool public paused;
    uint256 public limitOrdersTimelock;
    uint256 public lastOrderId;
    /// v1's one-delegate-per-trader mapping: retired (docs/avantis.md v2 §2: gone in v2), the slot stays.
    mapping(address => address) private _retiredDelegations;
    address private senderOverride;

    ITradingStorage public immutable storageT;
    IPairStorageV2 public immutable pairStorage;
    address public immutable pairInfos;
    ICallbacksV2 public immutable callbacks;
    IPriceFeed public immutable priceFeed;
    address public immutable router;

    event MarketOrderInitiated(
        address indexed trader,
        uint256 pairIndex,
        bool open,
        uint256 orderId,
        uint256 timestamp,
        bool isBuy,
        bool isPnl,
        uint256 initialPosToken,
        uint256 leverage,
        uint256 minLeverage,
        uint256 maxLeverage,
        uint256 coinExposure,
        bool isCoinExposureFixed,
        uint256 wantedPrice
    );
    event IncreasePositionRequested(
        address indexed trader,
        uint256 pairIndex,
        uint256 index,
        uint256 orderId,
        bool isBuy,
        bool isPnl,
        uint256 addedCollateral,
        uint256 leverage,
        uint256 coinExposure,
        bool isCoinExposureFixed
    );
    event LimitOrderInitiated(address indexed trader, uint256 pairIndex, uint256 orderId, uint256 timestamp);
    event TpUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 timestamp, uint256 tradeOpenTimestamp);
    event SlUpdated(address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 timestamp, uint256 tradeOpenTimestamp);
    event MarginUpdated(
        address indexed trader,
        uint256 pairIndex,
        uint256 index,
        uint8 _type,
        Trade newTrade,
        uint256 marginFees,
        uint256 lossProtectionTier,
        uint256 timestamp,
        uint256 coinExposure
    );

    constructor(
        address _storageT,
        address _pairStorage,
        address _pairInfos,
        address _callbacks,
        address _priceFeed,
        address _router
    ) {
        storageT = ITradingStorage(_storageT);
        pairStorage = IPairStorageV2(_pairStorage);
        pairInfos = _pairInfos;
        callbacks = ICallbacksV2(_callbacks);
        priceFeed = IPriceFeed(_priceFeed);
        router = _router;
    }

    modifier notPaused() {
        require(!paused, 'PAUSED');
        _;
    }

    /// Intents reach Trading only through the router, which verified the signer.
    modifier onlyRouter() {
        if (msg.sender != router || senderOverride != address(0)) revert NotAllowed();
        _;
    }

    function setPaused(bool value) external {
        require(msg.sender == owner, 'NOT_OWNER');
        paused = value;
    }

    function _msgSender() private view returns (address) {
        return senderOverride == address(0) ? msg.sender : senderOverride;
    }

    // ---- registration (router only) ----

    /// SDK convention: collateral (USDC 1e6) in t.positionSizeUSDC, reference price in t.openPrice.
    function openTradeV2(Trade calldata t, uint8 orderType, uint256 slippageP) external onlyRouter notPaused returns (uint256 orderId) {
        if (orderType == OPEN_MARKET_PNL) revert PnlOrderNotAllowed(); // no local pair allows Upside orders
        if (orderType != OPEN_MARKET) revert WrongOrderType(); // limit and stop orders: not local
        if (!pairStorage.isListed(t.pairIndex)) revert PairNotListed();
        if (pairStorage.pairParamsV2(t.pairIndex).pnlTypeAllowed) revert PnlOrderNotAllowed();
        if (t.positionSizeUSDC == 0) revert WrongAmount();
        if (t.openPrice == 0) revert WrongPrice();
        if (slippageP > _MAX_SLIPPAGE) revert HighSlippage();
        _checkLeverage(t.pairIndex, t.leverage);
        if ((t.positionSizeUSDC * t.leverage) / PRECISION < pairStorage.pairMinLevPosUSDC(t.pairIndex)) revert BelowMinPosition();
        if (t.tp != 0 && (t.buy ? t.tp <= t.openPrice : t.tp >= t.openPrice)) revert WrongTp();
        if (t.sl != 0 && (t.buy ? t.sl >= t.openPrice : t.sl <= t.openPrice)) revert WrongSl();
        // MAX_SL_P 80 (docs/avantis.md v1 §3 thresholds), as updateTpSl checks it; measured from the wanted price [local].
        uint256 maxSlDist = (t.openPrice * 80 * PRECISION) / t.leverage / 100;
        if (t.sl != 0 && (t.buy ? t.sl + maxSlDist < t.openPrice : t.sl > t.openPrice + maxSlDist)) revert WrongSl();
        ITradingStorageV2 s = ITradingStorageV2(address(storageT));
        if (storageT.openTradesCount(t.trader, t.pairIndex) + s.pendingOpens(t.trader, t.pairIndex) >= storageT.maxTradesPerPair()) {
            revert MaxTradesPerPair();
        }

        storageT.transferUSDC(t.trader, address(storageT), t.positionSizeUSDC);
        orderId = ++lastOrderId;
        PendingOrder memory o = PendingOrder({
            kind: ORDER_OPEN,
            buy: t.buy,
            trader: t.trader,
            pairIndex: t.pairIndex,
            index: 0,
            collateral: t.positionSizeUSDC,
            leverage: t.leverage,
            wantedPrice: t.openPrice,
            slippageP: slippageP,
            tp: t.tp,
            sl: t.sl,
            openTimestamp: 0,
            blockNumber: block.number
        });
        s.storePendingOrder(orderId, o);
        _emitInitiated(orderId, o, true);
    }

    /// `amount` is collateral to close (USDC 1e6); less than the trade's collateral is a partial close.
    function closeTradeV2(
        address trader,
        uint256 pairIndex,
        uint256 index,
        uint256 openTimestamp,
        uint256 amount,
        uint256 wantedPrice
    ) external onlyRouter notPaused returns (uint256 orderId) {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        if (t.leverage == 0) revert NoTrade();
        if (t.timestamp != openTimestamp) revert PositionMismatch();
        if (amount == 0 || amount > t.initialPosToken) revert WrongAmount();
        orderId = ++lastOrderId;
        PendingOrder memory o = PendingOrder({
            kind: ORDER_CLOSE,
            buy: t.buy,
            trader: trader,
            pairIndex: pairIndex,
            index: index,
            collateral: amount,
            leverage: t.leverage,
            wantedPrice: wantedPrice,
            slippageP: 0,
            tp: 0,
            sl: 0,
            openTimestamp: openTimestamp,
            blockNumber: block.number
        });
        ITradingStorageV2(address(storageT)).storePendingOrder(orderId, o);
        _emitInitiated(orderId, o, false);
    }

    /// Adds `u.initialPosToken` collateral at `u.leverage` to an open trade; `u.openPrice` is the
    /// reference price the fill must stay within ± slippage.
    function increasePositionV2(UpdatePositionSize calldata u, uint256 slippageP) external onlyRouter notPaused returns (uint256 orderId) {
        Trade memory t = storageT.openTrades(u.trader, u.pairIndex, u.index);
        if (t.leverage == 0) revert NoTrade();
        if (u.initialPosToken == 0) revert WrongAmount();
        if (u.openPrice == 0) revert WrongPrice();
        if (slippageP > _MAX_SLIPPAGE) revert HighSlippage();
        _checkLeverage(u.pairIndex, u.leverage);
        storageT.transferUSDC(u.trader, address(storageT), u.initialPosToken);
        orderId = ++lastOrderId;
        ITradingStorageV2(address(storageT)).storePendingOrder(
            orderId,
            PendingOrder({
                kind: ORDER_INCREASE,
                buy: t.buy,
                trader: u.trader,
                pairIndex: u.pairIndex,
                index: u.index,
                collateral: u.initialPosToken,
                leverage: u.leverage,
                wantedPrice: u.openPrice,
                slippageP: slippageP,
                tp: 0,
                sl: 0,
                openTimestamp: t.timestamp,
                blockNumber: block.number
            })
        );
        emit IncreasePositionRequested(u.trader, u.pairIndex, u.index, orderId, t.buy, false, u.initialPosToken, u.leverage, 0, false);
    }

    /// Both legs at once (docs/avantis.md v2 §3): TP 0 resets the take profit to the max-gain cap, SL 0 removes
    /// the stop loss; an SL may not lose more than 80% of the collateral (as in v1).
    function updateTpSlV2(address trader, uint256 pairIndex, uint256 index, uint256 newTp, uint256 newSl) external onlyRouter notPaused {
        Trade memory t = storageT.openTrades(trader, pairIndex, index);
        if (t.leverage == 0) revert NoTrade();
        if (newTp == 0) {
            uint256 dist = (t.openPrice * pairStorage.pairParamsV2(pairIndex).maxGainP) / 100 / t.leverage;
            newTp = t.buy ? t.openPrice + dist : (dist < t.openPrice ? t.openPrice - dist : 0);
        }
        if (newTp != 0 && (t.buy ? newTp <= t.openPrice : newTp >= t.openPrice)) revert WrongTp();
        uint256 maxSlDist = (t.openPrice * 80 * PRECISION) / t.leverage / 100;
        if (newSl != 0 && (t.buy ? newSl + maxSlDist < t.openPrice : newSl > t.openPrice + maxSlDist)) revert WrongSl();
        storageT.updateTp(trader, pairIndex, index, newTp);
        storageT.updateSl(trader, pairIndex, index, newSl);
        emit TpUpdated(trader, pairIndex, index, newTp, block.timestamp, t.timestamp);
        emit SlUpdated(trader, pairIndex, index, newSl, block.timestamp, t.timestamp);
    }

    /// Direct mode for delegates: the router checked the delegation; only the trader-scoped
    /// entries may run this way (docs/avantis.md v2 §2: a delegate cannot move funds elsewhere).
    function delegatedCall(address trader, bytes calldata callData) external onlyRouter returns (bytes memory) {
        if (callData.length < 4 || bytes4(callData[:4]) != this.updateMargin.selector) revert NotAllowed();
        senderOverride = trader;
        (bool ok, bytes memory result) = address(this).delegatecall(callData);
        senderOverride = address(0);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    // ---- margin ----

    /// Deposit (0) or withdraw (1) collateral; the notional stays, so the leverage moves. Rollover and
    /// funding accrued so far are settled from the collateral (the margin fee) and the trade's
    /// timestamp is refreshed (docs/avantis.md v2 §3: a close must then bind the new one).
    function updateMargin(uint256 _pairIndex, uint256 _index, uint8 _type, uint256 _amount) external notPaused returns (uint256 orderId) {
        address sender = _msgSender();
        Trade memory t = storageT.openTrades(sender, _pairIndex, _index);
        if (t.leverage == 0) revert NoTrade();
        if (_type != DEPOSIT && _type != WITHDRAW) revert WrongOrderType();
        if (_amount == 0) revert WrongAmount();
        uint256 notional = (t.initialPosToken * t.leverage) / PRECISION;
        int256 accrued = _accruedFees(t);
        if (_type == DEPOSIT) {
            storageT.transferUSDC(sender, address(storageT), _amount);
            t.initialPosToken += _amount;
        } else {
            if (_amount >= t.initialPosToken) revert WrongAmount();
            t.initialPosToken -= _amount;
        }
        uint256 marginFees = accrued > 0 ? uint256(accrued) : 0;
        if (marginFees >= t.initialPosToken) revert WrongAmount();
        t.initialPosToken = uint256(int256(t.initialPosToken) - accrued);
        t.leverage = (notional * PRECISION) / t.initialPosToken;
        _checkLeverage(_pairIndex, t.leverage);
        if (_type == WITHDRAW) {
            PairParamsV2 memory pp = pairStorage.pairParamsV2(_pairIndex);
            int256 p = AvantisMathV2.percentProfit(t.openPrice, priceFeed.getPrice(_pairIndex), t.buy, t.leverage, pp.maxGainP);
            if (p <= -int256(WITHDRAW_THRESHOLD_P * PRECISION)) revert WrongAmount();
            storageT.transferUSDC(address(storageT), sender, _amount);
        }
        t.timestamp = block.timestamp;
        t.positionSizeUSDC = block.timestamp; // docs/avantis.md v2 §7 trap: a timestamp, not a size
        storageT.updateTrade(t);
        ITradingStorageV2(address(storageT)).setAccrualStart(sender, _pairIndex, _index, block.timestamp);
        orderId = ++lastOrderId;
        emit MarginUpdated(sender, _pairIndex, _index, _type, t, marginFees, 0, block.timestamp, 0);
    }

    // ---- keeper ----

    /// TP (0), SL (1) or liquidation (2) of an open trade; keepers only in v2 (NotKeeper).
    function executeLimit(address trader, uint256 pairIndex, uint256 index, uint8 orderType) external notPaused returns (uint256 orderId) {
        if (orderType > 2) revert WrongOrderType();
        orderId = ++lastOrderId;
        emit LimitOrderInitiated(trader, pairIndex, orderId, block.timestamp);
        callbacks.executeLimitV2(msg.sender, orderId, trader, pairIndex, index, orderType);
    }

    // ---- helpers ----

    function _checkLeverage(uint256 pairIndex, uint256 leverage) private view {
        if (leverage < pairStorage.pairMinLeverage(pairIndex, false) || leverage > pairStorage.pairMaxLeverage(pairIndex, false)) {
            revert LeverageIncorrect();
        }
    }

    /// Rollover + funding accrued on the whole trade (negative: a short is owed funding).
    function _accruedFees(Trade memory t) private view returns (int256) {
        uint256 since = ITradingStorageV2(address(storageT)).accrualStart(t.trader, t.pairIndex, t.index);
        uint256 elapsed = block.timestamp > since ? block.timestamp - since : 0;
        PairParamsV2 memory pp = pairStorage.pairParamsV2(t.pairIndex);
        return
            int256(AvantisMathV2.rolloverFee(t.initialPosToken, pp.rolloverFeePerHourP, elapsed)) +
            AvantisMathV2.fundingFee(t.initialPosToken, t.leverage, t.buy, pp.fundingFeePerHourP, elapsed);
    }

    /// min/maxLeverage and coinExposure are 0: no coin-sized orders locally [local].
    function _emitInitiated(uint256 orderId, PendingOrder memory o, bool open) private {
        emit MarketOrderInitiated(
            o.trader,
            o.pairIndex,
            open,
            orderId,
            block.timestamp,
            o.buy,
            false,
            o.collateral,
            o.leverage,
            0,
            0,
            0,
            false,
            o.wantedPrice
        );
    }
}
