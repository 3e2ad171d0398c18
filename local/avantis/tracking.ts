// The service's persisted lifecycle per trackingId: every streamed event except STREAM_TIMEOUT,
// with its seq (0 for MarketOrderAccepted, then +1), so `GET /tracking-id/{id}/status?afterSeq=n`
// can replay what a dropped or timed-out stream missed (docs/avantis.md v2 §4). In memory, and bounded so a
// long `npm start` does not grow without end: a finished trackingId is kept for an hour after its
// terminal (long enough for any client to replay a stream it lost), and past a cap on the count the
// oldest finished ones go first. [I] Avantis does not document how long its replay keeps an id;
// after eviction the replay answers 404 like an unknown id.

export type WireValue = string | number | boolean | null | WireObject | WireValue[];
export interface WireObject {
  readonly [key: string]: WireValue;
}

export interface TrackedEvent {
  readonly seq: number;
  readonly type: string;
  readonly payload: WireObject;
  /** Unix ms when the service recorded it. */
  readonly at: number;
}

/** Event types after which nothing more happens on a trackingId. */
export const TERMINAL_TYPES: ReadonlySet<string> = new Set([
  'MarketOrderExecuted',
  'PositionSizeIncreased',
  'MarketOrderCanceled',
  'Error',
]);

type Listener = (event: TrackedEvent) => void;

interface Track {
  readonly events: TrackedEvent[];
  readonly listeners: Set<Listener>;
}

export interface TrackingLogOptions {
  readonly now?: () => number;
  /** How long a trackingId stays replayable after its terminal event (default one hour). */
  readonly retainFinishedMs?: number;
  /** At most this many trackingIds; beyond it the oldest finished ones are dropped (default 10,000). */
  readonly maxTracks?: number;
}

export class TrackingLog {
  /** In creation order (a Map keeps insertion order): the oldest first. */
  private readonly tracks = new Map<string, Track>();
  /** Finished trackingIds in the order they finished, with when: expiry reads only the head. */
  private readonly finished = new Map<string, number>();
  private readonly now: () => number;
  private readonly retainFinishedMs: number;
  private readonly maxTracks: number;

  constructor(opts: TrackingLogOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.retainFinishedMs = opts.retainFinishedMs ?? 3_600_000;
    this.maxTracks = opts.maxTracks ?? 10_000;
  }

  get size(): number {
    return this.tracks.size;
  }

  create(trackingId: string): void {
    if (this.tracks.has(trackingId)) throw new Error(`trackingId ${trackingId} exists`);
    this.prune();
    this.tracks.set(trackingId, { events: [], listeners: new Set() });
  }

  /**
   * Drops finished trackingIds older than the retention, then, while over the cap, the oldest
   * finished ones. Orders still under way are never dropped: the keeper ends each of them in a
   * bounded time (a fill, a cancel or an Error), so they cannot pile up.
   */
  private prune(): void {
    const cutoff = this.now() - this.retainFinishedMs;
    for (const [id, at] of this.finished) {
      const overCap = this.tracks.size >= this.maxTracks;
      if (at > cutoff && !overCap) break;
      this.finished.delete(id);
      this.tracks.delete(id);
    }
  }

  has(trackingId: string): boolean {
    return this.tracks.has(trackingId);
  }

  /** Appends with the next seq and tells the live streams. Ignored after a terminal. */
  append(trackingId: string, type: string, payload: WireObject): TrackedEvent | undefined {
    const track = this.tracks.get(trackingId);
    // Only a finished (hence terminal) trackingId is ever dropped: a late append would be ignored anyway.
    if (!track || this.isTerminal(trackingId)) return undefined;
    const event: TrackedEvent = { seq: track.events.length, type, payload, at: this.now() };
    track.events.push(event);
    if (TERMINAL_TYPES.has(type)) this.finished.set(trackingId, event.at);
    for (const l of [...track.listeners]) l(event);
    return event;
  }

  /** Events with seq > afterSeq (all of them when afterSeq is undefined); undefined if unknown. */
  after(trackingId: string, afterSeq?: number): readonly TrackedEvent[] | undefined {
    const track = this.tracks.get(trackingId);
    if (!track) return undefined;
    return afterSeq === undefined ? [...track.events] : track.events.filter((e) => e.seq > afterSeq);
  }

  isTerminal(trackingId: string): boolean {
    const last = this.tracks.get(trackingId)?.events.at(-1);
    return last !== undefined && TERMINAL_TYPES.has(last.type);
  }

  /** Live events from now on; returns the unsubscribe. */
  subscribe(trackingId: string, listener: Listener): () => void {
    const track = this.tracks.get(trackingId);
    if (!track) throw new Error(`unknown trackingId ${trackingId}`);
    track.listeners.add(listener);
    return () => track.listeners.delete(listener);
  }
}
