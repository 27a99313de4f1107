/**
 * Headless rendering: Vega-Lite spec → SVG (npm `vega-lite` compiles, npm `vega` renders with no
 * browser and no canvas) and SVG → PNG (npm `@resvg/resvg-js`, a native rasteriser).
 *
 * Fonts: resvg draws text only with the font files it is given, which the caller names
 * (`fontFiles`). {@linkcode resolveFontFiles} picks them: the files a person named, checked, or
 * else DejaVu Sans from `/usr/share/fonts/truetype/dejavu/` (Debian package `fonts-dejavu-core`);
 * it asks the caller whether a file exists, so this module touches no file itself.
 *
 * @module
 */
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { VegaLiteSpec } from "./charts.ts";

/**
 * Renders a Vega-Lite spec to SVG text. Vega's warnings are not printed; errors throw.
 *
 * @param spec The spec (e.g. from {@linkcode lineBandChart}); its data must be inline.
 * @returns The SVG document.
 *
 * @example
 * ```ts
 * import { renderSvg } from "@plasticity/analysis";
 * const svg = await renderSvg({
 *   data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
 *   mark: "line",
 *   encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
 * });
 * console.assert(svg.startsWith("<svg"));
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  let compiled;
  try {
    compiled = vegaLite.compile(spec as unknown as TopLevelSpec).spec;
  } catch (e) {
    throw new Error(`Cannot compile the Vega-Lite spec: ${(e as Error).message}`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@linkcode renderPng}. */
export interface PngOptions {
  /** The PNG width in pixels; the height keeps the SVG's aspect ratio (default twice the SVG width). */
  readonly width?: number;
  /** Font files to draw text with (see {@linkcode resolveFontFiles}); resvg reads them. */
  readonly fontFiles: readonly string[];
  /** The font family that stands in for generic and unknown families (default `DejaVu Sans`). */
  readonly fontFamily?: string;
}

/** Where Debian's `fonts-dejavu-core` puts DejaVu Sans. */
export const DEJAVU_FONT_FILES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

/**
 * The font files to draw PNG text with: the files named, each of which must exist, or else those
 * of {@linkcode DEJAVU_FONT_FILES} that exist.
 *
 * @param named The font files a person named; none (undefined or empty) for the default.
 * @param isFile Whether a path is a file (the caller's look at the disk).
 * @returns The font files.
 * @throws {Error} When a named file is missing, or no default file exists.
 *
 * @example
 * ```ts
 * import { DEJAVU_FONT_FILES, resolveFontFiles } from "@plasticity/analysis";
 * const onDisk = new Set([DEJAVU_FONT_FILES[0]!, "my.ttf"]);
 * const isFile = (p: string) => onDisk.has(p);
 * console.assert(resolveFontFiles(undefined, isFile).join() === DEJAVU_FONT_FILES[0]);
 * console.assert(resolveFontFiles(["my.ttf"], isFile).join() === "my.ttf");
 * try { resolveFontFiles(["no.ttf"], isFile); } catch (e) { console.assert(String(e).includes('"no.ttf" not found')); }
 * ```
 */
export function resolveFontFiles(
  named: readonly string[] | undefined,
  isFile: (path: string) => boolean,
): string[] {
  if (named && named.length > 0) {
    for (const f of named) {
      if (!isFile(f)) throw new Error(`Font file "${f}" not found: expected a .ttf or .otf file`);
    }
    return [...named];
  }
  const found = DEJAVU_FONT_FILES.filter(isFile);
  if (found.length === 0) {
    throw new Error(
      `No font to draw text with: expected "${
        DEJAVU_FONT_FILES[0]
      }" (apt-get install fonts-dejavu-core) or the fontFiles option`,
    );
  }
  return found;
}

/**
 * Rasterises SVG text to a PNG with resvg.
 *
 * @param svg The SVG document (e.g. from {@linkcode renderSvg}).
 * @param options Width and fonts.
 * @returns The PNG bytes.
 * @throws {Error} When no font file is given, the width is not a positive integer, or the SVG
 * does not parse.
 *
 * @example
 * ```ts
 * import { DEJAVU_FONT_FILES, renderPng } from "@plasticity/analysis";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>';
 * const png = renderPng(svg, { width: 20, fontFiles: DEJAVU_FONT_FILES });
 * const view = new DataView(png.buffer, png.byteOffset);
 * console.assert(view.getUint32(16) === 20 && view.getUint32(20) === 10);
 * ```
 */
export function renderPng(svg: string, options: PngOptions): Uint8Array {
  const fontFiles = options.fontFiles;
  if (fontFiles.length === 0) {
    throw new Error("No font to draw text with: expected at least one font file in fontFiles");
  }
  if (options.width !== undefined && !(Number.isInteger(options.width) && options.width > 0)) {
    throw new Error(
      `PNG width ${JSON.stringify(options.width)} is not valid: expected a positive integer`,
    );
  }
  const family = options.fontFamily ?? "DejaVu Sans";
  let resvg: Resvg;
  try {
    resvg = new Resvg(svg, {
      font: {
        loadSystemFonts: false,
        fontFiles: [...fontFiles],
        defaultFontFamily: family,
        sansSerifFamily: family,
        serifFamily: family,
        monospaceFamily: family,
      },
      fitTo: options.width === undefined
        ? { mode: "zoom", value: 2 }
        : { mode: "width", value: options.width },
    });
  } catch (e) {
    throw new Error(`Cannot read the SVG: ${(e as Error).message}`);
  }
  return resvg.render().asPng();
}
