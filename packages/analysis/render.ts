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

/**
 * The largest PNG side {@linkcode renderPng} makes, in pixels: 8192 (a 8192 × 8192 RGBA image
 * is 256 MiB in memory; a figure needs far less).
 */
export const MAX_PNG_SIDE = 8192;

/** Options of {@linkcode renderPng}. */
export interface PngOptions {
  /**
   * The PNG width in pixels, 1 to {@linkcode MAX_PNG_SIDE}; the height keeps the SVG's aspect
   * ratio. Give `width` or `height`, not both (default: twice the SVG's size).
   */
  readonly width?: number;
  /**
   * The PNG height in pixels, 1 to {@linkcode MAX_PNG_SIDE}; the width keeps the SVG's aspect
   * ratio.
   */
  readonly height?: number;
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
 * @param options Size and fonts.
 * @returns The PNG bytes.
 * @throws {Error} When no font file is given, the width or height is not an integer from 1 to
 * {@linkcode MAX_PNG_SIDE}, both are given, the SVG does not parse, or the PNG would have a side
 * longer than {@linkcode MAX_PNG_SIDE}.
 *
 * @example
 * ```ts
 * import { DEJAVU_FONT_FILES, renderPng } from "@plasticity/analysis";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>';
 * const png = renderPng(svg, { width: 20, fontFiles: DEJAVU_FONT_FILES });
 * const view = new DataView(png.buffer, png.byteOffset);
 * console.assert(view.getUint32(16) === 20 && view.getUint32(20) === 10);
 * try { renderPng(svg, { width: 9000, fontFiles: DEJAVU_FONT_FILES }); } catch (e) { console.assert(String(e).includes("from 1 to 8192")); }
 * ```
 */
export function renderPng(svg: string, options: PngOptions): Uint8Array {
  const fontFiles = options.fontFiles;
  if (fontFiles.length === 0) {
    throw new Error("No font to draw text with: expected at least one font file in fontFiles");
  }
  for (const [what, v] of [["width", options.width], ["height", options.height]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0 && v <= MAX_PNG_SIDE)) {
      throw new Error(
        `PNG ${what} ${
          JSON.stringify(v)
        } is not valid: expected a whole number of pixels from 1 to ${MAX_PNG_SIDE}`,
      );
    }
  }
  if (options.width !== undefined && options.height !== undefined) {
    throw new Error(
      `PNG width ${options.width} and height ${options.height} are both given: expected one of them, the other keeps the aspect ratio`,
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
      fitTo: options.width !== undefined
        ? { mode: "width", value: options.width }
        : options.height !== undefined
        ? { mode: "height", value: options.height }
        : { mode: "zoom", value: 2 },
    });
  } catch (e) {
    throw new Error(`Cannot read the SVG: ${(e as Error).message}`);
  }
  // The size resvg will draw at, checked before any pixel memory is taken.
  const w0 = Math.max(resvg.width, 1), h0 = Math.max(resvg.height, 1);
  const [w, h] = options.width !== undefined
    ? [options.width, Math.ceil(h0 * options.width / w0)]
    : options.height !== undefined
    ? [Math.ceil(w0 * options.height / h0), options.height]
    : [Math.ceil(w0 * 2), Math.ceil(h0 * 2)];
  if (w > MAX_PNG_SIDE || h > MAX_PNG_SIDE) {
    throw new Error(
      `PNG of ${w} × ${h} pixels is too large: expected at most ${MAX_PNG_SIDE} pixels a side; give a smaller width or height`,
    );
  }
  return resvg.render().asPng();
}
