// SPDX-License-Identifier: MIT
// The v2 implementations of the storage-like contracts: PairStorageV2 (the v2 pair catalog of
// docs/avantis.md "Data files", written at the upgrade), TradingStorageV2 (pending market orders between their
// registration and the keeper's fill, per-pair wallet OI, fee accrual) and PriceFeedV2. Each
// inherits its v1.5 contract, so the storage layout is v1's with v2's appended and every position,
// balance and allowance survives the in-place upgrade.
pragma solidity ^0.8.20;

import './AvantisTypes.sol';
import './AvantisV2Types.sol';
import './PairStorage.sol';
import './TradingStorage.sol';
import './PriceFeed.sol';

contract PairStorageV2 is PairStorage {
    mapping(uint256 => PairParamsV2) private _paramsV2;
    bool public v2Initialized;

    /// Runs in the upgrade transaction: replaces the v1.5 values with the v2 catalog, lists or
    /// delists each pair as the catalog says (a delisted pair keeps its open trades).
    function initializeV2(
        uint256[] calldata indices,
        PairConfig[] calldata configs,
        PairParamsV2[] calldata params,
        bool[] calldata listed
    ) external {
        require(!v2Initialized, 'INITIALIZED');
        require(indices.length == configs.length && indices.length == params.length && indices.length == listed.length, 'LENGTH_MISMATCH');
        v2Initialized = true;
        for (uint256 i = 0; i < indices.length; i++) {
            _pairs[indices[i]] = configs[i];
            _paramsV2[indices[i]] = params[i];
            _listed[indices[i]] = listed[i];
            if (indices[i] >= pairsCount) pairsCount = indices[i] + 1;
        }
    }

    function setPairCaps(uint256 pairIndex, uint256 maxOI, uint256 maxWalletOI) external {
        require(msg.sender == owner, 'NOT_OWNER');
        _paramsV2[pairIndex].maxOI = maxOI;
        _paramsV2[pairIndex].maxWalletOI = maxWalletOI;
    }

    function pairParamsV2(uint256 pairIndex) external view returns (PairParamsV2 memory) {
        return _paramsV2[pairIndex];
    }

    function pairSpreadP(uint256 pairIndex) external view returns (uint256) {
        return _paramsV2[pairIndex].spreadP;
    }

    function pairMaxGainP(uint256 pairIndex) external view returns (uint256) {
        return _paramsV2[pairIndex].maxGainP;
    }
}

contract TradingStorageV2 is TradingStorage {
    mapping(uint256 => PendingOrder) private _pending;
    /// Every pending order id, for keepers that start late (swap-and-pop on removal).
    uint256[] private _pendingIds;
    mapping(uint256 => uint256) private _pendingPos; // id => position + 1
    mapping(address => uint256) private _pendingByTrader;
    mapping(address => mapping(uint256 => uint256)) public pendingOpens;
    /// Notional per trader and pair (v2: walletOI is per pair, docs/avantis.md v2 §1).
    mapping(address => mapping(uint256 => uint256)) public walletPairOI;
    mapping(address => mapping(uint256 => mapping(uint256 => uint256))) private _accrualStart;
    /// Rollover and funding accrue from here for trades opened before the upgrade (v1.5 had none).
    uint256 public v2Since;

    constructor(address _usdc) TradingStorage(_usdc) {}

    function initializeV2() external {
        require(v2Since == 0, 'INITIALIZED');
        v2Since = block.timestamp;
    }

    function pendingOrderIdsCount(address trader) external view override returns (uint256) {
        return _pendingByTrader[trader];
    }

    function pendingOrderIds() external view returns (uint256[] memory) {
        return _pendingIds;
    }

    function pendingOrder(uint256 orderId) external view returns (PendingOrder memory) {
        return _pending[orderId];
    }

    function storePendingOrder(uint256 orderId, PendingOrder memory o) external onlyTrading {
        require(o.kind != 0 && _pending[orderId].kind == 0, 'WRONG_ORDER');
        _pending[orderId] = o;
        _pendingIds.push(orderId);
        _pendingPos[orderId] = _pendingIds.length;
        _pendingByTrader[o.trader] += 1;
        if (o.kind == ORDER_OPEN) pendingOpens[o.trader][o.pairIndex] += 1;
    }

    function takePendingOrder(uint256 orderId) external onlyCallbacks returns (PendingOrder memory o) {
        o = _pending[orderId];
        if (o.kind == 0) revert UnknownOrder();
        delete _pending[orderId];
        uint256 pos = _pendingPos[orderId];
        uint256 last = _pendingIds[_pendingIds.length - 1];
        _pendingIds[pos - 1] = last;
        _pendingPos[last] = pos;
        _pendingIds.pop();
        delete _pendingPos[orderId];
        _pendingByTrader[o.trader] -= 1;
        if (o.kind == ORDER_OPEN) pendingOpens[o.trader][o.pairIndex] -= 1;
    }

    function accrualStart(address trader, uint256 pairIndex, uint256 index) external view returns (uint256 since) {
        since = _accrualStart[trader][pairIndex][index];
        if (since == 0) {
            uint256 opened = _trades[trader][pairIndex][index].timestamp;
            since = opened > v2Since ? opened : v2Since;
        }
    }

    function setAccrualStart(address trader, uint256 pairIndex, uint256 index, uint256 since) external onlyTradingOrCallbacks {
        _accrualStart[trader][pairIndex][index] = since;
    }

    function storeTrade(Trade memory t) external override onlyCallbacks returns (uint256 index) {
        index = firstEmptyTradeIndex(t.trader, t.pairIndex);
        if (index >= maxTradesPerPair) revert MaxTradesPerPair();
        t.index = index;
        _trades[t.trader][t.pairIndex][index] = t;
        openTradesCount[t.trader][t.pairIndex] += 1;
        TradeInfo storage info = _infos[t.trader][t.pairIndex][index];
        info.tpLastUpdated = block.number;
        info.slLastUpdated = block.number;
        _accrualStart[t.trader][t.pairIndex][index] = block.timestamp;
        _setOI(t, (t.initialPosToken * t.leverage) / PRECISION_V2);
    }

    uint256 private constant PRECISION_V2 = 1e10;

    /// v1's totals plus the per-pair wallet OI. Trades opened before the upgrade were never counted
    /// per pair, so their removal saturates at zero instead of underflowing.
    function _setOI(Trade memory t, uint256 newOI) internal override {
        uint256 old = _infos[t.trader][t.pairIndex][t.index].openInterestUSDC;
        uint256 w = walletPairOI[t.trader][t.pairIndex];
        walletPairOI[t.trader][t.pairIndex] = (w > old ? w - old : 0) + newOI;
        super._setOI(t, newOI);
    }
}

contract PriceFeedV2 is PriceFeed {
    /// Nothing else changed in the price feed; the upgrade only marks the era.
    function version() external pure returns (uint256) {
        return 2;
    }
}
