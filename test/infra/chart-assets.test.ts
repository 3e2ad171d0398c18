// The chart renderer works bundled: a bundle built like lib/functions.ts builds one (ESM, node22,
// the require banner, @aws-sdk external), plus the afterBundling copy of CHART_ASSET_FILES, renders a
// PNG from a directory with no node_modules anywhere above it, as /var/task in Lambda. Without the
// copied files the same bundle fails, so the hook is what makes it work.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_ASSETS } from '#core/adapters/charts/png.js';
import { CHART_ASSET_FILES, REQUIRE_BANNER, chartAssetCommands } from '../../lib/functions.js';
import { FUNCTIONS, type FunctionDef } from '#core/resources.js';
import { ROOT, codePathOf } from './code-path.js';
let outdir: string;

/** Runs the bundle the way Lambda does: from its own directory, no repo around it. */
const run = (): string =>
  execFileSync(process.execPath, [path.join(outdir, 'index.mjs')], {
    cwd: outdir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });

beforeAll(async () => {
  // Prepare: a handler-like entry that renders one chart and prints the PNG's first bytes.
  outdir = mkdtempSync(path.join(tmpdir(), 'alfa-chart-bundle-'));
  const entry = path.join(ROOT, 'test/infra/.chart-entry.ts');
  writeFileSync(
    entry,
    [
      "import { renderPng } from '#core/adapters/charts/png.js';",
      "import { pnlChartSpec } from '#core/domain/charts.js';",
      "const spec = pnlChartSpec('PnL', [{ at: 1_700_000_000, cumulativeUsdc: 5_000_000n, pnlUsdc: 5_000_000n }, { at: 1_700_003_600, cumulativeUsdc: 2_000_000n, pnlUsdc: -3_000_000n }]);",
      'const { png } = await renderPng(spec);',
      "process.stdout.write(png.subarray(0, 8).toString('hex') + ' ' + png.length);",
    ].join('\n'),
  );
  try {
    await build({
      entryPoints: [entry],
      outfile: path.join(outdir, 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      banner: { js: REQUIRE_BANNER },
      external: ['@aws-sdk/*'],
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
  } finally {
    unlinkSync(entry);
  }
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('chart assets in the bundle', () => {
  it('copies exactly the files png.ts loads, from paths that exist in the repo', () => {
    expect(Object.values(CHART_ASSET_FILES).sort()).toEqual(Object.values(CHART_ASSETS).sort());
    for (const from of Object.keys(CHART_ASSET_FILES))
      expect(existsSync(path.join(ROOT, from)), from).toBe(true);
  });

  it('without the copied files, the bundle cannot render (no node_modules next to it)', () => {
    expect(() => run()).toThrow(/ENOENT|Cannot find|no such file/);
  });

  it('after the afterBundling commands, the bundle renders a PNG from its own directory', () => {
    // Act
    for (const command of chartAssetCommands(ROOT, outdir)) execSync(command);
    const out = run();
    // Assess: the PNG signature and a plausible size.
    const [magic, size] = out.split(' ');
    expect(magic).toBe('89504e470d0a1a0a');
    expect(Number(size)).toBeGreaterThan(5_000);
  }, 60_000);

  it('a function is marked chartAssets exactly when its code path loads the renderer', async () => {
    for (const [name, def] of Object.entries(FUNCTIONS) as [string, FunctionDef][]) {
      const renders = (await codePathOf(def.entry)).includes('layers/core/adapters/charts/png.ts');
      expect(def.chartAssets ?? false, name).toBe(renders);
    }
    expect(FUNCTIONS['telegram-webhook'].chartAssets).toBe(true);
  });
});
