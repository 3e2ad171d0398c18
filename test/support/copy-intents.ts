// A LIVE copy intent of an open, as the copier claims one, for the intents table's tests: the id is
// `<prefix>-<user>-<n>:<user>`, created at 10:<n> UTC on 2026-12-01 so that n orders them.
import type { CopyIntent } from '#core/ports/copy.js';

export function liveCopy(
  prefix: string,
  trader: string,
  userId: string,
  n: number,
  over: Partial<CopyIntent> = {},
): CopyIntent {
  return {
    intentId: `${prefix}-${userId}-${n}:${userId}`,
    signalId: `${prefix}-${userId}-${n}`,
    userId,
    chatId: userId,
    trader,
    slot: { pairIndex: 0, tradeIndex: n },
    kind: 'OPEN',
    state: 'CREATED',
    reason: 'COPY_OK',
    mode: 'LIVE',
    order: { kind: 'OPEN', pairIndex: 0, buy: true, leverage: '100000000000', collateralUsdc: '10000000' },
    createdAt: new Date(Date.UTC(2026, 11, 1, 10, n)).toISOString(),
    ...over,
  };
}
