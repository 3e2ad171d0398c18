// Webhook handling time, warm, against the local stack: /start (a DynamoDB write and a reply) and
// /help (a reply only), measured over HTTP through the local Function URL as Telegram would call it.
import type { LocalStack } from '../../local/stack.js';
import { textMessageUpdate } from '../support/telegram-updates.js';
import { summarize, type LatencySummary } from './stats.js';

const WARMUP = 50;
const SAMPLES = 500;

export async function webhookBench(stack: LocalStack): Promise<Record<string, LatencySummary>> {
  const { url, header, secret } = stack.info.webhook;
  let updateId = 1_000_000;
  const post = async (text: string, userId: number) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: secret },
      body: JSON.stringify(textMessageUpdate((updateId += 1), { id: userId, firstName: 'Bench' }, text)),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    return performance.now() - started;
  };
  const results: Record<string, LatencySummary> = {};
  for (const command of ['/start', '/help']) {
    for (let i = 0; i < WARMUP; i++) await post(command, 5_000_000 + i);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await post(command, 6_000_000 + i));
    results[`webhook ${command}`] = summarize(samples);
  }
  stack.botApi.clear();
  return results;
}
