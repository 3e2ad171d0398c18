// A Telegram user of Alfa, as stored in the users table, and the wallet address they link.
import { parseAddress, type AddressCheck } from './addresses.js';

export interface User {
  readonly userId: string;
  readonly chatId: string;
  readonly firstName: string;
  readonly username?: string;
  readonly languageCode?: string;
  /** False once the user blocked the bot: no more sends until they /start again. */
  readonly active: boolean;
}

/** What Telegram tells us about the sender of an update (the `from` of a message). */
export interface TelegramSender {
  readonly id: number;
  readonly is_bot: boolean;
  readonly first_name: string;
  readonly username?: string;
  readonly language_code?: string;
}

export function userFromTelegram(from: TelegramSender, chatId: number): User {
  return {
    userId: String(from.id),
    chatId: String(chatId),
    firstName: from.first_name,
    ...(from.username === undefined ? {} : { username: from.username }),
    ...(from.language_code === undefined ? {} : { languageCode: from.language_code }),
    active: true,
  };
}

/** The zero address and the common burn address: nobody can sign for them, so no copy can ever trade there. */
const UNUSABLE_WALLETS: ReadonlySet<string> = new Set([
  '0x0000000000000000000000000000000000000000',
  '0x000000000000000000000000000000000000dead',
]);

/** A wallet address as a user links it: a valid address that someone could actually sign for. */
export function parseWalletAddress(input: string): AddressCheck {
  const parsed = parseAddress(input);
  if (parsed.ok && UNUSABLE_WALLETS.has(parsed.address))
    return {
      ok: false,
      error: `${parsed.address} is not a wallet anyone controls (nobody can sign for it); send the address of your own wallet`,
    };
  return parsed;
}
