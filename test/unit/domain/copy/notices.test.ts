// The user's own copy notices (domain/copy/notices.ts): when their copy's close fills, their result,
// or that it is not known.
import { describe, expect, it } from 'vitest';
import { filledText } from '#core/domain/copy/notices.js';
import { px } from '../../../support/analytics-fills.js';
/** A half close of a copy that filled: 49.70 USDC of collateral closed, 51.90 back. */
const halfFill = { price: px(3_060).toString(), collateralUsdc: '49700000', usdcSentToTrader: '51900000' };

describe('Close messages', () => {
  it("the user's own close message says their result, or that it is not known", () => {
    const subject = {
      kind: 'CLOSE',
      pairIndex: 0,
      buy: true,
      leverage: '0',
      collateralUsdc: '49700000',
    } as const;
    expect(filledText(subject, halfFill, 'FILLED')).toContain(
      "Your result on this close: <b>+$2.20</b> (after Avantis' closing fees).",
    );
    const found = { price: px(3_000).toString(), collateralUsdc: '49700000', usdcSentToTrader: '0' };
    expect(filledText(subject, found, 'RECONCILED_FILLED')).toContain('The amount back is not known yet');
    expect(filledText(subject, found)).not.toContain('Your result');
  });
});
