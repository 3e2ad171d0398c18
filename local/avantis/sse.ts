// Server-Sent Events on a node:http response, in the batched-market wire format (docs/avantis.md v2 §4):
// `event:` (type), `id:` (seq; absent on STREAM_TIMEOUT, which is not persisted), `data:` (one line
// of JSON), a blank line; `:` comment lines as keep-alives. The writer owns the keep-alive timer
// and the stream lifetime cap, and ends the response exactly once.
import type { ServerResponse } from 'node:http';
import type { WireObject } from './tracking.js';

export interface SseOptions {
  /** Comment line every this many ms (Avantis: about 15 s). */
  readonly keepAliveMs: number;
  /** Hard cap of one stream (Avantis: 60 s in EIP-712 mode); `onLifetime` runs when it is hit. */
  readonly lifetimeMs: number;
  readonly onLifetime: (sse: SseWriter) => void;
}

export class SseWriter {
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    opts: SseOptions,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Proxies (and node's own buffering) must not hold events back.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const keepAlive = setInterval(() => this.comment('keep-alive'), opts.keepAliveMs);
    const lifetime = setTimeout(() => opts.onLifetime(this), opts.lifetimeMs);
    this.timers.push(keepAlive, lifetime);
    // The client went away: stop writing, the order itself goes on.
    res.on('close', () => this.finish());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** One event; `id` omitted for events that are not persisted (STREAM_TIMEOUT). */
  event(type: string, data: WireObject, id?: number): void {
    if (this.closed) return;
    const lines = [`event: ${type}`];
    if (id !== undefined) lines.push(`id: ${id}`);
    lines.push(`data: ${JSON.stringify(data)}`);
    this.res.write(`${lines.join('\n')}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  /** Ends the response after what was written. */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.finish();
  }

  /** Cuts the connection without a terminal (the `dropStreamNext` fault). */
  destroy(): void {
    if (this.closed) return;
    // Flush what was written first, so the client sees the events before the cut.
    const res = this.res;
    res.write('', () => res.destroy());
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const l of this.closeListeners.splice(0)) l();
  }
}
