// A DynamoDB item read through its zod schema: a bad item fails naming its table and key, with
// zod's paths, instead of turning into a half-read record further in.
import { z } from 'zod';

/** `where` names the item for the error, e.g. `follows item userId=7 trader=0xab`. */
export function parseItem<S extends z.ZodType>(schema: S, item: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new Error(`${where} does not parse: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
}
