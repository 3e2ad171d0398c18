// What the tests that drive the real bot (on the Bot API stand-in, test/support/bot-harness.ts)
// share: the admin's chat, a trader address, a new Telegram user per call, and one harness per test
// file started with that admin.
import { afterAll, beforeAll } from 'vitest';
import { startHarness, type Harness } from '../../../support/bot-harness.js';

/** The admin chat of every harness these tests start. */
export const ADMIN = 7_000_001;
/** A trader address to follow. */
export const T = `0x${'5a'.repeat(20)}`;

let nextUser = 8_000_000;
/** A Telegram user no earlier test of the file has used, so each test starts from a new chat. */
export const someone = (): number => (nextUser += 1);

/** The harness with ADMIN as its one admin. */
const startBotHarness = (): Promise<Harness> => startHarness({ admins: [String(ADMIN)] });

/**
 * The harness of this file's tests, started before them and closed after (vitest hooks). Read it
 * inside a test: before beforeAll has run there is none.
 */
export function useBotHarness(): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startBotHarness();
  });
  afterAll(async () => started?.close());
  const current = (): Harness => {
    if (!started) throw new Error('the bot harness starts in beforeAll');
    return started;
  };
  return new Proxy({} as Harness, { get: (_target, key) => Reflect.get(current(), key) as unknown });
}
