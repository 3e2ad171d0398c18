// handleWebhookRequest (adapters/telegram/webhook.ts): an update dispatched once with 200, refusals,
// 503 while another delivery of the update is in progress, 500 on a fault so Telegram redelivers,
// base64 bodies.
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { describe, expect, it, vi } from 'vitest';
import {
  SECRET_HEADER,
  handleWebhookRequest,
  type WebhookDeps,
  type WebhookRequest,
} from '#core/adapters/telegram/webhook.js';

const SECRET = 'a-very-secret-token_123';

function request(
  body: string | undefined,
  headers: Record<string, string> = { [SECRET_HEADER]: SECRET },
): WebhookRequest {
  return { method: 'POST', headers, ...(body === undefined ? {} : { body }), isBase64Encoded: false };
}

function deps(processOnce: WebhookDeps['processOnce'] = async () => ({ ok: true })): WebhookDeps {
  return { webhookSecret: async () => SECRET, processOnce };
}

describe('Function: handleWebhookRequest', () => {
  it('dispatches a valid update once and answers 200', async () => {
    const processOnce = vi.fn(async () => ({ ok: true }));

    const update = {
      update_id: 7,
      message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, text: 'hi' },
    };

    const res = await handleWebhookRequest(request(JSON.stringify(update)), deps(processOnce));

    expect(res.statusCode).toBe(200);
    expect(processOnce).toHaveBeenCalledWith(update);
  });

  it.each([
    ['a message that is a string', { message: 'hi' }],
    ['a message that is null', { message: null }],
    [
      'a sender without a first name',
      {
        message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false } },
      },
    ],
    ['a callback query without its sender', { callback_query: { id: 'q', data: 'x' } }],
    [
      'command entities of the wrong type',
      { message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, entities: 'bot_command' } },
    ],
  ])('acknowledges an update of a known kind with %s with 200, without dispatching', async (_what, body) => {
    const processOnce = vi.fn(async () => ({ ok: true }));

    const res = await handleWebhookRequest(
      request(JSON.stringify({ update_id: 8, ...body })),
      deps(processOnce),
    );

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ignored: 'MALFORMED_UPDATE' });
    expect(processOnce).not.toHaveBeenCalled();
  });

  it.each([
    ['no header', {}],
    ['a wrong secret', { [SECRET_HEADER]: 'nope' }],
    ['a secret with a suffix', { [SECRET_HEADER]: `${SECRET}x` }],
  ])('answers 401 to %s without dispatching', async (_what, headers) => {
    const processOnce = vi.fn(async () => ({ ok: true }));

    const res = await handleWebhookRequest(request('{"update_id":7}', headers), deps(processOnce));

    expect(res.statusCode).toBe(401);
    expect(processOnce).not.toHaveBeenCalled();
  });

  it.each([
    ['an empty body', undefined, 'MALFORMED_JSON'],
    ['garbage', 'not json', 'MALFORMED_JSON'],
    ['an array', '[1,2]', 'NOT_AN_UPDATE'],
    ['a fractional update_id', '{"update_id":1.5}', 'NOT_AN_UPDATE'],
  ])('acknowledges %s with 200 and ignores it', async (_what, body, reason) => {
    const processOnce = vi.fn(async () => ({ ok: true }));

    const res = await handleWebhookRequest(request(body), deps(processOnce));

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, ignored: reason });
    expect(processOnce).not.toHaveBeenCalled();
  });

  it('answers 503 while another delivery of the same update is in progress', async () => {
    const res = await handleWebhookRequest(
      request('{"update_id":7}'),
      deps(async () => {
        throw new IdempotencyAlreadyInProgressError('in progress');
      }),
    );

    expect(res.statusCode).toBe(503);
  });

  it('answers 500 on a fault so Telegram redelivers', async () => {
    const res = await handleWebhookRequest(
      request('{"update_id":7}'),
      deps(async () => {
        throw new Error('DynamoDB is down');
      }),
    );

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('DynamoDB');
  });

  it('decodes a base64 body', async () => {
    const processOnce = vi.fn(async () => ({ ok: true }));
    const body = Buffer.from('{"update_id":9}').toString('base64');

    await handleWebhookRequest({ ...request(body), isBase64Encoded: true }, deps(processOnce));

    expect(processOnce).toHaveBeenCalledWith({ update_id: 9 });
  });
});
