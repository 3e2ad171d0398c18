import { beforeAll, describe, expect, it } from 'vitest';
import { BotSecretError, loadBotSecret } from '#core/adapters/secrets/bot-secret.js';
import { startControlPlane, type ControlPlane } from '../../local/standins/aws-control-plane.js';
import { useStackEnv } from '../support/stack-clients.js';

describe('Function: loadBotSecret', () => {
  let plane: ControlPlane;
  beforeAll(async () => {
    useStackEnv();
    // A control plane of its own, so broken secrets never reach the shared stack's handlers.
    plane = await startControlPlane({
      secrets: {
        good: JSON.stringify({
          botToken: '123456:AAAAAAAAAAAAAAAAAAAAAAAA-_',
          webhookSecret: 'abcdefghijklmnop_-12',
        }),
        'not-json': 'botToken=1',
        incomplete: JSON.stringify({ botToken: 'SET_ME', webhookSecret: 'short' }),
      },
    });
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = plane.url;
    return () => plane.close();
  });

  it('reads and validates the JSON secret', async () => {
    expect(await loadBotSecret('good')).toEqual({
      botToken: '123456:AAAAAAAAAAAAAAAAAAAAAAAA-_',
      webhookSecret: 'abcdefghijklmnop_-12',
    });
  });

  it('says the secret is not JSON', async () => {
    await expect(loadBotSecret('not-json')).rejects.toThrow(
      new BotSecretError('secret not-json is not valid JSON'),
    );
  });

  it('names the bad fields without echoing their values', async () => {
    const err = (await loadBotSecret('incomplete').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    expect(err).toBeInstanceOf(BotSecretError);
    expect(err.message).toMatch(/botToken: .*@BotFather/);
    expect(err.message).toMatch(/webhookSecret: /);
    expect(err.message).not.toContain('SET_ME');
    expect(err.message).not.toContain('short');
  });
});
