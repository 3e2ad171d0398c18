import { describe, expect, it } from 'vitest';
import { sweepStuckCopies } from '../../../layers/core/copy/sweep.js';
import { STUCK_AFTER_BLOCKS, stuckAction } from '../../../layers/core/domain/decision.js';
import type { NoticeMessage, PendingCopy, SentCopy } from '../../../layers/core/ports.js';

const copy = (over: Partial<PendingCopy> = {}): PendingCopy => ({
  intentId: 'sig:1',
  userId: '1',
  chatId: '1',
  txHash: '0xold',
  nonce: 7,
  maxFeePerGas: '1000',
  sentBy: '0xexec',
  sentBlock: 100,
  calldata: '0xdata',
  ...over,
});

function world(receipt: 'MINED' | 'REVERTED' | 'PENDING', head: number, pending: PendingCopy[]) {
  const sends: { data: string; nonce?: number; bumpFrom?: bigint }[] = [];
  const replaced: [string, SentCopy][] = [];
  const failed: string[] = [];
  const notices: (NoticeMessage | object)[] = [];
  const deps = {
    intents: {
      pendingOf: async () => pending,
      markReplaced: async (id: string, tx: SentCopy) => void replaced.push([id, tx]),
      markFailed: async (id: string) => void failed.push(id),
    },
    executor: {
      address: '0xexec',
      blockNumber: async () => head,
      receiptStatus: async () => receipt,
      send: async (data: string, opts: { nonce?: number; bumpFrom?: bigint } = {}) => {
        sends.push({ data, ...opts });
        return {
          txHash: '0xnew',
          nonce: opts.nonce ?? 0,
          maxFeePerGas: '1251',
          sentBy: '0xexec',
          sentBlock: head,
          calldata: data,
        };
      },
    },
    notices: { publish: async (m: readonly object[]) => void notices.push(...m) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  return { deps, sends, replaced, failed, notices };
}

describe('Function: stuckAction', () => {
  it('waits until a pending copy is STUCK_AFTER_BLOCKS old, then replaces it', () => {
    expect(stuckAction({ sentBlock: 100, head: 100 + STUCK_AFTER_BLOCKS - 1, receipt: 'PENDING' })).toBe(
      'WAIT',
    );
    expect(stuckAction({ sentBlock: 100, head: 100 + STUCK_AFTER_BLOCKS, receipt: 'PENDING' })).toBe(
      'REPLACE',
    );
    expect(stuckAction({ sentBlock: 100, head: 200, receipt: 'MINED' })).toBe('WAIT');
    expect(stuckAction({ sentBlock: 100, head: 101, receipt: 'REVERTED' })).toBe('FAIL');
  });
});

describe('Function: sweepStuckCopies', () => {
  it('sends a stuck copy again with the same nonce and a fee above the old one', async () => {
    const w = world('PENDING', 100 + STUCK_AFTER_BLOCKS, [copy()]);

    expect(await sweepStuckCopies(w.deps)).toEqual({ replaced: 1, failed: 0 });

    expect(w.sends).toEqual([{ data: '0xdata', nonce: 7, bumpFrom: 1000n }]);
    expect(w.replaced[0]?.[0]).toBe('sig:1');
  });

  it('leaves a young pending copy alone', async () => {
    const w = world('PENDING', 101, [copy()]);

    expect(await sweepStuckCopies(w.deps)).toEqual({ replaced: 0, failed: 0 });
    expect(w.sends).toHaveLength(0);
  });

  it('fails a reverted copy and tells its user', async () => {
    const w = world('REVERTED', 101, [copy()]);

    expect(await sweepStuckCopies(w.deps)).toEqual({ replaced: 0, failed: 1 });
    expect(w.failed).toEqual(['sig:1']);
    expect(w.notices).toMatchObject([{ noticeId: 'sig:1:failed', chatId: '1' }]);
  });
});
