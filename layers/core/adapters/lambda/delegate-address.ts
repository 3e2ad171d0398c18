// The webhook's way to a user's delegate address: a direct invocation of the delegate-address
// function, which alone (with the copier) may derive delegate keys. The answer is checked with zod
// and cached per container: an address never changes for a user.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';

const answer = z.object({ userId: z.string(), delegate: z.string().regex(/^0x[0-9a-f]{40}$/) });

export class DelegateAddressClient {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly lambda: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  async addressOf(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit) return hit;
    const out = await this.lambda.send(
      new InvokeCommand({ FunctionName: this.functionName, Payload: JSON.stringify({ userId }) }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw new Error(`delegate-address failed: ${text.slice(0, 200)}`);
    const { delegate } = answer.parse(JSON.parse(text));
    this.cache.set(userId, delegate);
    return delegate;
  }
}
