// A Telegram user of Alfa, as stored in the users table.

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
