// How the alerter reads Telegram's failures for the delivery use case: a 429 (RetryLaterError)
// gives its retry_after, a 403 (ChatBlockedError) is a blocked chat, anything else is neither.
// Sending itself runs against the stand-ins in test/e2e/signals.test.ts and drills-telegram.
import { describe, expect, it } from 'vitest';
import type { Config } from '#core/config.js';
import { alertSender } from '#core/adapters/telegram/alert-sender.js';
import { ChatBlockedError, RetryLaterError } from '#core/adapters/telegram/messenger.js';

const cfg = {
  botSecretId: 'alfa/test/bot',
  telegramApiRoot: 'http://127.0.0.1:9',
  allowPaidBroadcast: false,
  tables: { dedupe: 'alfa-test-dedupe' },
} as unknown as Config;

describe('Function: alertSender', () => {
  it('reads a 429 as its retry_after and a 403 as a blocked chat, and nothing else as either', () => {
    // Prepare
    const sender = alertSender(cfg);
    const failures = [new RetryLaterError(7), new ChatBlockedError('Forbidden'), new Error('502'), 'text'];

    // Act
    const read = failures.map((e) => [sender.retryAfterOf(e), sender.isBlocked(e)]);

    // Assess
    expect(read).toEqual([
      [7, false],
      [undefined, true],
      [undefined, false],
      [undefined, false],
    ]);
  });
});
