// alerts.fifo, notices.fifo and copies.fifo: group = user (one user's messages in order), dedup
// id = the message's own id (an alert id, or `signalId:userId` for a copy), so the same signal
// routed three times is one message and one intent. Sent 10 per batch, several batches in flight
// (different users). A job on the `notice` lane goes to notices.fifo, the rest to alerts.fifo.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AlertJob, AlertQueue, CopyJob, CopyQueue } from '../../ports/copy.js';
import { toJson } from '../../codec.js';
import { sendAll } from './batch-send.js';

const IN_FLIGHT = 16;

/**
 * JSON with every character outside the Basic Multilingual Plane (emoji) written as a \u escape
 * pair: the body stays the same JSON, and no SQS implementation can refuse its characters (fauxqs
 * accepts only #x20-#xFFFD; real SQS also takes #x10000-#x10FFFF).
 */
export function bmpJson(text: string): string {
  return text.replace(/[\u{10000}-\u{10FFFF}]/gu, (c) =>
    [...Array.from({ length: c.length }, (_v, i) => c.charCodeAt(i))]
      .map((u) => `\\u${u.toString(16).padStart(4, '0')}`)
      .join(''),
  );
}

/** SQS limits a deduplication id to 128 characters of [A-Za-z0-9!-~]; long ids are cut from the left. */
const dedup = (id: string) => (id.length <= 128 ? id : id.slice(-128));

export class SqsAlertQueue implements AlertQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: { readonly alerts: string; readonly notices: string },
  ) {}

  async publish(alerts: readonly AlertJob[]): Promise<void> {
    const send = async (url: string, jobs: readonly AlertJob[]) => {
      if (jobs.length === 0) return;
      await sendAll(
        this.sqs,
        url,
        jobs.map((a) => ({ body: bmpJson(JSON.stringify(a)), groupId: a.userId, dedupId: dedup(a.id) })),
        IN_FLIGHT,
      );
    };
    await Promise.all([
      send(
        this.urls.alerts,
        alerts.filter((a) => a.lane !== 'notice'),
      ),
      send(
        this.urls.notices,
        alerts.filter((a) => a.lane === 'notice'),
      ),
    ]);
  }
}

export class SqsCopyQueue implements CopyQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(jobs: readonly CopyJob[]): Promise<void> {
    await sendAll(
      this.sqs,
      this.queueUrl,
      jobs.map((j) => ({
        body: bmpJson(toJson(j)),
        groupId: j.userId,
        dedupId: dedup(`${j.signal.id}:${j.userId}`),
      })),
      IN_FLIGHT,
    );
  }
}
