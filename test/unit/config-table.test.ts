// The README's configuration table against layers/core/config.ts: every variable the config reads
// (its zod schema's keys, plus any `process.env.X` read directly) has a row, and no row names a
// variable the config no longer reads, so the table cannot drift from the code either way.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../layers/core/config.js';

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

/** Backticked upper-case names in the first cell of each row of the README's Configuration table. */
function tableVariables(readme: string): Set<string> {
  const start = readme.indexOf('\n## Configuration\n');
  if (start < 0) throw new Error('README has no "## Configuration" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1] as string);
  }
  return names;
}

/** Names read straight from the environment in config.ts, outside the schema. */
function directReads(source: string): string[] {
  return [...source.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
}

describe('README configuration table', () => {
  it('lists every variable config.ts reads, and nothing it does not', () => {
    // Prepare: what the code reads, and what the table says.
    const read = new Set([
      ...SETTING_NAMES,
      ...directReads(readFileSync(root('layers/core/config.ts'), 'utf8')),
    ]);
    const table = tableVariables(readFileSync(root('README.md'), 'utf8'));

    // Act: the differences both ways.
    const missing = [...read].filter((n) => !table.has(n)).sort();
    const stale = [...table].filter((n) => !read.has(n)).sort();

    // Assess: none either way, and the schema really was read (a parse that found nothing passes nothing).
    expect(read.size).toBeGreaterThan(20);
    expect(read).toContain('CANARY_PAIRS');
    expect(missing).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('reads the table cells as the test expects', () => {
    // Prepare: a tiny README with a multi-name row, prose and a following section.
    const readme = [
      '# X',
      '## Configuration',
      'Text with `NOT_A_ROW`.',
      '| variable | default | meaning |',
      '| `A_ONE`, `B_TWO` | `DRY` | says `C_THREE` in the meaning |',
      '## Deploy',
      '| `D_FOUR` | x | y |',
    ].join('\n');

    // Act
    const names = tableVariables(readme);

    // Assess: only first-cell names of rows in the section; defaults and meanings do not count.
    expect([...names].sort()).toEqual(['A_ONE', 'B_TWO']);
  });
});
