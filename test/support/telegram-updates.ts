// Real-shaped Telegram updates (as the Bot API posts them to a webhook) for tests and tools.

export interface Person {
  readonly id: number;
  readonly firstName: string;
  readonly username?: string;
}

const user = (p: Person) => ({
  id: p.id,
  is_bot: false,
  first_name: p.firstName,
  ...(p.username ? { username: p.username } : {}),
  language_code: 'en',
});

const privateChat = (p: Person) => ({ id: p.id, type: 'private', first_name: p.firstName });

let messageId = 0;

export function textMessageUpdate(
  updateId: number,
  from: Person,
  text: string,
  chat: object = privateChat(from),
) {
  const command = /^\/\w+/.exec(text)?.[0];
  messageId += 1;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: user(from),
      chat,
      date: Math.floor(Date.now() / 1000),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
    },
  };
}

export function groupChat(id: number) {
  return { id: -Math.abs(id), type: 'group', title: 'Traders' };
}

/** What Telegram sends when a user blocks (kicked) or unblocks (member) the bot. */
export function myChatMemberUpdate(updateId: number, from: Person, status: 'kicked' | 'member', botId = 1) {
  const bot = { id: botId, is_bot: true, first_name: 'Alfa' };
  return {
    update_id: updateId,
    my_chat_member: {
      chat: privateChat(from),
      from: user(from),
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { user: bot, status: status === 'kicked' ? 'member' : 'kicked' },
      new_chat_member: { user: bot, status, ...(status === 'kicked' ? { until_date: 0 } : {}) },
    },
  };
}
