// The one JSON codec for queue bodies and table items: JSON that keeps bigints, written as
// `"<digits>n"` strings and read back as bigint, so chain amounts survive a round trip exactly.
const BIGINT = /^-?\d+n$/;

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    typeof v === 'string' && BIGINT.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as T;
}
