// Delegate address (direct invocation only, by the webhook): `{ userId }` -> the user's Avantis
// delegate address. The key is derived inside this function (KMS GenerateMac) and never leaves it:
// the caller learns a public address, nothing it could sign with.
import { z } from 'zod';
import { config } from '#core/config.js';
import { delegateKeys } from '#core/copy/compose.js';
import { lambdaHandler } from '#core/observability.js';

const keys = delegateKeys(config());
const request = z.object({ userId: z.string().regex(/^[1-9]\d{0,19}$/) });

export const handler = lambdaHandler(async (event: unknown) => {
  const { userId } = request.parse(event);
  return { userId, delegate: await keys.addressOf(userId) };
});
