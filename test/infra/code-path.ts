// A function's code path: every repo source file its bundle would contain, from esbuild's metafile
// (packages stay external, so only our own files). Tests use it to ask what a function can do,
// e.g. whether it renders charts or emits a metric, from the code itself, not from a list.
import * as path from 'node:path';
import { build } from 'esbuild';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const cache = new Map<string, Promise<string[]>>();

/** Repo-relative paths of the source files reachable from `entry` (repo-relative). */
export function codePathOf(entry: string): Promise<string[]> {
  let files = cache.get(entry);
  if (!files) {
    files = build({
      entryPoints: [path.join(ROOT, entry)],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    }).then((r) => Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('node_modules/')));
    cache.set(entry, files);
  }
  return files;
}

/**
 * Whether `entry`'s code path names the metric as a string literal ('Name', "Name" or `Name`):
 * Powertools Metrics takes names as strings, so an emitter cannot avoid writing it.
 */
export async function emitsMetric(entry: string, metric: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const literal = new RegExp(`['"\`]${metric}['"\`]`);
  const files = await codePathOf(entry);
  const texts = await Promise.all(files.map((f) => readFile(path.join(ROOT, f), 'utf8')));
  return files.filter((_, i) => literal.test(texts[i] ?? ''));
}
