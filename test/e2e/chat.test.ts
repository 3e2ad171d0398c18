// `npm run chat` end to end, driven programmatically: a chat session against the test run's local
// stack sends /start and /help through the webhook and renders what the bot sent back.
import { describe, expect, it, vi } from 'vitest';
import { ChatClient, ChatError, type StackLink } from '../../local/cli/chat/client.js';
import { renderEvent } from '../../local/cli/chat/render.js';
import { freePort } from '../../local/processes.js';
import { stackInfo, uniqueId } from '../support/stack-clients.js';

const info = stackInfo();
const link: StackLink = {
  webhook: info.webhook,
  endpoints: { telegramBotApi: info.endpoints.telegramBotApi },
  telegram: info.telegram,
  env: { ...info.env },
};

/** Collects the rendered output of a session, as the terminal would show it (without colours). */
function transcript(client: ChatClient) {
  const lines: string[] = [];
  return {
    lines,
    async until(text: string): Promise<string> {
      await vi.waitFor(
        async () => {
          for (const { events } of await client.poll()) {
            lines.push(...events.flatMap((e) => renderEvent(e, { style: 'plain' })));
          }
          expect(lines.join('\n')).toContain(text);
        },
        { timeout: 5_000, interval: 100 },
      );
      return lines.join('\n');
    },
  };
}

describe('npm run chat', () => {
  it('sends /start and /help and shows the welcome and the help', async () => {
    const { client, earlier } = await ChatClient.connect(link, {
      user: { id: uniqueId(), firstName: 'Ada' },
    });
    expect(earlier).toBe(0);
    const out = transcript(client);

    await client.send('/start');
    const afterStart = await out.until('Welcome to Alfa, Ada!');
    expect(afterStart).toMatch(/^bot #1 Welcome to Alfa, Ada!$/m);
    expect(afterStart).not.toMatch(/<\/?b>/);

    await client.send('/help');
    const all = await out.until('/help — list every command with an example');
    expect(all).toMatch(/^bot #2 Alfa commands$/m);
    expect(all).toContain('/start — register with Alfa and see what it does');
    expect(all).toContain('e.g. /start');
    expect(all).not.toMatch(/<\/?code>/);
  });

  it('picks up the earlier messages of the chat when it reconnects', async () => {
    const user = { id: uniqueId(), firstName: 'Ada' };
    const first = await ChatClient.connect(link, { user });
    await first.client.send('/start');
    await transcript(first.client).until('Welcome to Alfa');

    const again = await ChatClient.connect(link, { user });

    expect(again.earlier).toBe(1);
    expect(await again.client.poll()).toEqual([]);
  });

  it('says in one line that the secret is wrong (401) or that the stack is not running', async () => {
    const user = { id: uniqueId(), firstName: 'Ada' };
    const wrongSecret = { ...link, webhook: { ...link.webhook, secret: 'not-the-secret' } };
    await expect(ChatClient.connect(wrongSecret, { user })).rejects.toThrow(
      new ChatError(
        'The webhook refused the secret in .local/stack.json (401): it belongs to another run. Restart `npm start`.',
      ),
    );

    const nothing = `http://127.0.0.1:${await freePort()}/`;
    const gone = { ...link, webhook: { ...link.webhook, url: nothing } };
    await expect(ChatClient.connect(gone, { user })).rejects.toThrow(
      /^The local stack does not answer \(webhook at .*\)\. Start it with `npm start` in another terminal\.$/,
    );
  });
});
