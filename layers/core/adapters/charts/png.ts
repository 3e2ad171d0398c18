// Renders Vega-Lite specs to PNG inside the Lambda: vega-lite compiles, vega draws SVG headless
// (renderer 'none', view.toSVG()), and resvg (WebAssembly, no native binary: the same bundle runs
// on x64 here and arm64 in Lambda) rasterizes it with a bundled DejaVu font (resvg-wasm draws no
// text without a font buffer). The .wasm and the font are read once per container.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from '../../domain/charts.js';
import { lazy } from '../../runtime/lazy.js';

/** The two files the bundle must ship next to the handler (see lib/functions.ts commandHooks). */
export const CHART_ASSETS = { wasm: 'index_bg.wasm', font: 'DejaVuSans.ttf' } as const;

/** Where each asset is: next to the bundle (Lambda), else in node_modules (here). */
async function asset(name: keyof typeof CHART_ASSETS): Promise<Uint8Array> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    ...(process.env.ALFA_CHART_ASSETS ? [path.join(process.env.ALFA_CHART_ASSETS, CHART_ASSETS[name])] : []),
    path.join(here, CHART_ASSETS[name]),
  ];
  for (const file of candidates) {
    try {
      return await readFile(file);
    } catch {
      // next candidate
    }
  }
  const require = createRequire(import.meta.url);
  return readFile(
    require.resolve(
      name === 'wasm' ? '@resvg/resvg-wasm/index_bg.wasm' : 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
    ),
  );
}

/** Loads the WebAssembly module and the font once per container. */
const init = lazy(async (): Promise<Uint8Array> => {
  const [wasm, font] = await Promise.all([asset('wasm'), asset('font')]);
  await initWasm(wasm);
  return font;
});

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = compile(spec as unknown as TopLevelSpec).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface RenderedChart {
  readonly png: Buffer;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

/** A PNG of the spec, at `scale` (1.25 keeps labels sharp on phones without a huge file). */
export async function renderPng(spec: VegaLiteSpec, scale = 1.25): Promise<RenderedChart> {
  const [font, svg] = await Promise.all([init(), renderSvg(spec)]);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: 'DejaVu Sans', loadSystemFonts: false },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  try {
    const image = resvg.render();
    try {
      return { png: Buffer.from(image.asPng()), svg, width: image.width, height: image.height };
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
