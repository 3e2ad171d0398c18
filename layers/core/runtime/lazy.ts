// Values a Lambda container creates once and keeps: a client connected on first use, a bot built
// for the current token, a secret held and refreshed. Written once here so every site forgets a
// failed start the same way (a container whose first connect failed must not keep that rejection
// for its whole life).

/**
 * The value of `make()`, created on the first call and shared by every later (and concurrent)
 * caller. A rejection is forgotten, so the next call runs `make` again; a success is kept.
 */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (value) return value;
    const made = make().catch((err: unknown) => {
      // Only the attempt that failed is forgotten: a newer one may already be under way.
      if (value === made) value = undefined;
      throw err;
    });
    value = made;
    return made;
  };
}

/**
 * The value built for the latest key, built again only when the key changes (a rotated bot token
 * gets a new client; the same token keeps the one whose pacing state it holds).
 */
export function rebuildOnChange<K, T>(build: (key: K) => T): (key: K) => T {
  let last: { readonly key: K; readonly value: T } | undefined;
  return (key) => {
    if (!last || last.key !== key) last = { key, value: build(key) };
    return last.value;
  };
}

export interface HeldValueOptions {
  readonly refreshAfterMs: number;
  readonly usableForMs: number;
  readonly now?: () => number;
}

/**
 * A value read on first use and kept: callers asking together share one read, a failed read is
 * forgotten, and once `refreshAfterMs` old the held value keeps answering while one refresh runs
 * (up to `usableForMs` old, if refreshes keep failing; then callers wait for the read and its error).
 */
export class HeldValue<T> {
  private held: { readonly value: T; readonly at: number } | undefined;
  private reading: Promise<T> | undefined;
  private readonly refreshAfterMs: number;
  private readonly usableForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly read: () => Promise<T>,
    options: HeldValueOptions,
  ) {
    this.refreshAfterMs = options.refreshAfterMs;
    this.usableForMs = options.usableForMs;
    this.now = options.now ?? Date.now;
  }

  get(): Promise<T> {
    const held = this.held;
    const age = held ? this.now() - held.at : Number.POSITIVE_INFINITY;
    if (held && age < this.refreshAfterMs) return Promise.resolve(held.value);
    const reading = this.refresh();
    if (held && age < this.usableForMs) {
      // The refresh's failure is seen by the first caller the held value can no longer answer.
      reading.catch(() => undefined);
      return Promise.resolve(held.value);
    }
    return reading;
  }

  private refresh(): Promise<T> {
    this.reading ??= this.read()
      .then((value) => {
        this.held = { value, at: this.now() };
        return value;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
