// One FIFO message as the alert and copy use cases handle it: its job (the body as the queue's
// schema parsed it, copy/jobs.ts), how often it came, and its way back to the queue sooner than
// the visibility timeout (adapters/sqs/put-back.ts makes it).
export interface QueuedMessage<T> {
  readonly messageId: string;
  readonly groupId: string;
  readonly job: T;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** Visible again in `seconds`; the messages of its group skipped behind it come back with it. */
  putBack(seconds: number): Promise<void>;
}
