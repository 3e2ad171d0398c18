// A test client of the batched-market service: POSTs an order and reads the SSE answer to its end
// with eventsource-parser (the parser the real client uses), keeping every event with its raw id
// and every `:` comment, and noting whether the connection was cut rather than ended.
import { createParser } from 'eventsource-parser';

export interface StreamedEvent {
  readonly type: string;
  /** The `id:` line as sent (undefined when there was none, as on STREAM_TIMEOUT). */
  readonly id: string | undefined;
  readonly data: Record<string, unknown>;
}

export interface PostResult {
  readonly status: number;
  readonly contentType: string;
  /** The JSON body of a non-stream answer (400, 503, ...). */
  readonly json: Record<string, unknown> | undefined;
  readonly events: StreamedEvent[];
  readonly comments: string[];
  /** True when the stream broke off (socket cut) instead of ending cleanly. */
  readonly dropped: boolean;
}

export interface PostOptions {
  /** Called for each event as it arrives (e.g. to observe timing). */
  readonly onEvent?: (e: StreamedEvent) => void;
}

export async function postOrder(url: string, body: unknown, opts: PostOptions = {}): Promise<PostResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) {
    return {
      status: res.status,
      contentType,
      json: (await res.json()) as Record<string, unknown>,
      events: [],
      comments: [],
      dropped: false,
    };
  }
  const events: StreamedEvent[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (m) => {
      const e = { type: m.event ?? 'message', id: m.id, data: JSON.parse(m.data) as Record<string, unknown> };
      events.push(e);
      opts.onEvent?.(e);
    },
    onComment: (c) => comments.push(c),
  });
  let dropped = false;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  } catch {
    dropped = true;
  }
  return { status: res.status, contentType, json: undefined, events, comments, dropped };
}

export async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
