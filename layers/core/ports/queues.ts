// The signal queue the indexer publishes to (the copy queues are in ports/copy.ts).
import type { Signal } from '../domain/signals.js';

export interface SignalQueue {
  publish(signals: readonly Signal[]): Promise<void>;
}
