// Chain values to the service's JSON: every chain number a decimal string in raw units (USDC 1e6;
// price, leverage, percent 1e10), because many exceed 2^53 (docs/avantis.md v2 §4). The one exception is the
// `/user-data` positions read, whose pairIndex and index are JSON numbers as in the core API.
import type { ChainTrade, Initiation, OpenPosition, Settlement } from './chain.js';
import type { WireObject } from './tracking.js';

const s = (n: bigint): string => n.toString();

export function tradeWire(t: ChainTrade): WireObject {
  return {
    trader: t.trader,
    pairIndex: s(t.pairIndex),
    index: s(t.index),
    initialPosToken: s(t.initialPosToken),
    positionSizeUSDC: s(t.positionSizeUSDC),
    openPrice: s(t.openPrice),
    buy: t.buy,
    leverage: s(t.leverage),
    tp: s(t.tp),
    sl: s(t.sl),
    timestamp: s(t.timestamp),
  };
}

export function initiationWire(i: Initiation, transactionHash: string): WireObject {
  switch (i.type) {
    case 'MarketOrderInitiated':
      return {
        orderId: s(i.orderId),
        trader: i.trader,
        pairIndex: s(i.pairIndex),
        open: i.open,
        isBuy: i.isBuy,
        isPnl: i.isPnl,
        transactionHash,
      };
    case 'IncreasePositionRequested':
      return {
        orderId: s(i.orderId),
        trader: i.trader,
        pairIndex: s(i.pairIndex),
        index: s(i.index),
        isBuy: i.isBuy,
        isPnl: i.isPnl,
        addedCollateral: s(i.addedCollateral),
        coinExposure: s(i.coinExposure),
        isCoinExposureFixed: i.isCoinExposureFixed,
        transactionHash,
      };
  }
}

export function settlementWire(x: Settlement, transactionHash: string): WireObject {
  switch (x.type) {
    case 'MarketOrderExecuted':
      return {
        orderId: s(x.orderId),
        open: x.open,
        price: s(x.price),
        positionSizeUSDC: s(x.positionSizeUSDC),
        percentProfit: s(x.percentProfit),
        usdcSentToTrader: s(x.usdcSentToTrader),
        isPnl: x.isPnl,
        coinExposure: s(x.coinExposure),
        isCoinExposureFixed: x.isCoinExposureFixed,
        t: tradeWire(x.t),
        transactionHash,
      };
    case 'PositionSizeIncreased':
      return {
        orderId: s(x.orderId),
        isPnl: x.isPnl,
        coinExposureAdded: s(x.coinExposureAdded),
        isCoinExposureFixed: x.isCoinExposureFixed,
        t: tradeWire(x.t),
        transactionHash,
      };
    case 'MarketOrderCanceled':
      return { orderId: s(x.orderId), trader: x.trader, pairIndex: s(x.pairIndex), transactionHash };
  }
}

export function positionWire(p: OpenPosition): WireObject {
  return {
    pairIndex: Number(p.pairIndex),
    index: Number(p.index),
    buy: p.buy,
    collateral: s(p.collateral),
    leverage: s(p.leverage),
    openPrice: s(p.openPrice),
    tp: s(p.tp),
    sl: s(p.sl),
    timestamp: s(p.timestamp),
  };
}
