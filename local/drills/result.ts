// The one JSON result every drill prints and writes (.local/drills/<name>-<timestamp>.json): what
// went in, what came out, what was lost or duplicated, the worst latency, and whether the stack
// recovered by itself. `passed` is the drill's own verdict; `failures` says why not, one per line.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const DrillResultSchema = z.object({
  drill: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  passed: z.boolean(),
  signalsIn: z.number().int().nonnegative(),
  alertsSent: z.number().int().nonnegative(),
  copiesSubmitted: z.number().int().nonnegative(),
  copiesTerminal: z.record(z.string(), z.number().int().nonnegative()),
  lost: z.number().int().nonnegative(),
  duplicated: z.number().int().nonnegative(),
  worstLatencyMs: z.number().nonnegative(),
  recovered: z.boolean(),
  failures: z.array(z.string()),
  /** Drill-specific counts (what was posted, answered, observed). */
  details: z.record(z.string(), z.unknown()),
});
export type DrillResult = z.infer<typeof DrillResultSchema>;

/** Writes the result next to the others and returns the file's path. */
export async function writeResult(root: string, result: DrillResult): Promise<string> {
  const dir = path.join(root, '.local', 'drills');
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `${result.drill}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Runs `work` over `items` with at most `limit` at a time, keeping order of results. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
