// Values a Lambda container creates once and keeps: a client connected on first use, a bot built
// for the current token. Written once here so every site forgets a failed start the same way (a
// container whose first connect failed must not keep that rejection for its whole life).

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
