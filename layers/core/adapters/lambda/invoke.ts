// Direct Lambda invocation (lambda:InvokeFunction, RequestResponse) with the answer parsed by the
// caller's zod schema. The endpoint comes from AWS_ENDPOINT_URL_LAMBDA when set (the local stack's
// Invoke API stand-in), so the CLI, the bot and the admin function call AWS and the local stack alike.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { z } from 'zod';

let client: LambdaClient | undefined;
export const lambdaClient = (): LambdaClient => (client ??= new LambdaClient({ maxAttempts: 1 }));

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
}

export async function invokeFunction<T>(
  functionName: string,
  payload: unknown,
  answer: z.ZodType<T>,
  lambda: LambdaClient = lambdaClient(),
): Promise<T> {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    // Lambda's error shape: { errorType, errorMessage }; show it, not the raw payload.
    let detail = text;
    try {
      const e = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      detail = `${e.errorType ?? 'Error'}: ${e.errorMessage ?? text}`;
    } catch {
      /* not JSON: keep the text */
    }
    throw new InvokeError(`${functionName} failed (${out.FunctionError}): ${detail.slice(0, 500)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvokeError(`${functionName} answered something that is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success) {
    throw new InvokeError(
      `${functionName} answered an unexpected shape: ${parsed.error.message.slice(0, 300)}`,
    );
  }
  return parsed.data;
}
