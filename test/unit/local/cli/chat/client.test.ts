// The chat CLI's client (local/cli/chat/client.ts) saves the photos the bot sends (e.g. a PnL chart)
// and prints where.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPng } from '#core/adapters/charts/png.js';
import { pnlChartSpec } from '#core/domain/charts.js';
import { ChatClient } from '../../../../../local/cli/chat/client.js';
import { renderEvent } from '../../../../../local/cli/chat/render.js';
import { startBotApi, type BotApiStandIn } from '../../../../../local/standins/telegram-bot-api.js';

const TOKEN = '515151:chat-photos';
let api: BotApiStandIn;
let webhook: Server;
let webhookUrl: string;

beforeAll(async () => {
  api = await startBotApi({ token: TOKEN });
  // The chat only needs a webhook that accepts its secret; the bot is played by direct API calls.
  webhook = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
  );
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await api.close();
  await new Promise((r) => webhook.close(r));
});

describe('chat CLI: photos', () => {
  it('saves a photo the bot sent to a file and says where', async () => {
    const user = { id: 4242, firstName: 'Ada' };
    const { client } = await ChatClient.connect(
      {
        webhook: { url: webhookUrl, secret: 's', header: 'x-telegram-bot-api-secret-token' },
        endpoints: { telegramBotApi: api.url },
        telegram: { botToken: TOKEN, callsUrl: `${api.url}/_alfa/calls` },
        env: {},
      },
      { user },
    );
    const { png } = await renderPng(
      pnlChartSpec('t', [
        { at: 1_760_000_000, cumulativeUsdc: 1_000_000n, pnlUsdc: 1_000_000n },
        { at: 1_760_003_600, cumulativeUsdc: -500_000n, pnlUsdc: -1_500_000n },
      ]),
    );
    const form = new FormData();
    form.set('chat_id', String(user.id));
    form.set('caption', 'Trader PnL');
    form.set('photo', new Blob([png]), 'pnl.png');
    expect((await fetch(`${api.url}/bot${TOKEN}/sendPhoto`, { method: 'POST', body: form })).status).toBe(
      200,
    );

    const [observed] = await client.poll();
    const event = observed?.events[0];

    expect(event?.kind).toBe('photo');
    const saved = event?.kind === 'photo' ? event.savedTo : undefined;
    expect(saved).toMatch(/\.local\/photos\/chat-4242-\d+\.png$/);
    expect((await readFile(saved as string)).equals(png)).toBe(true);
    const lines = renderEvent(event as NonNullable<typeof event>, { style: 'plain' }).join('\n');
    expect(lines).toContain('Trader PnL');
    expect(lines).toContain(`photo saved to ${saved}`);
    await rm(saved as string);
  }, 30_000); // the first chart loads WebAssembly and a font
});
