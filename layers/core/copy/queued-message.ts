// One FIFO message as the alert and copy use cases handle it: what it says, how often it came, and
// its way back to the queue sooner than the visibility timeout (adapters/sqs/put-back.ts makes it).
export interface QueuedMessage {
  readonly messageId: string;
  readonly groupId: string;
  readonly body: string;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** Visible again in `seconds`; the messages of its group skipped behind it come back with it. */
  putBack(seconds: number): Promise<void>;
}
