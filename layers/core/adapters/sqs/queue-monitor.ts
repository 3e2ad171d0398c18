// Queue and dead-letter depths for /status.
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueKey } from '../../resources.js';

export interface QueueDepth {
  readonly name: QueueKey;
  readonly depth: number | undefined;
  readonly dlqDepth: number | undefined;
}

/** A queue URL's DLQ, by the naming rule in resources.ts (`<name>.fifo` -> `<name>-dlq.fifo`). */
export const deadLetterUrlOf = (queueUrl: string): string => queueUrl.replace(/\.fifo$/, '-dlq.fifo');

export class QueueMonitor {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: Readonly<Record<QueueKey, string>>,
  ) {}

  private async depth(url: string): Promise<number | undefined> {
    try {
      const out = await this.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? Number.NaN);
    } catch {
      return undefined; // shown as "?" rather than failing the whole status
    }
  }

  async depths(): Promise<QueueDepth[]> {
    return Promise.all(
      (Object.entries(this.queues) as [QueueKey, string][]).map(async ([name, url]) => ({
        name,
        depth: await this.depth(url),
        dlqDepth: await this.depth(deadLetterUrlOf(url)),
      })),
    );
  }
}
