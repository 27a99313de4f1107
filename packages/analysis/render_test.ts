import assert from "node:assert/strict";
import { lineBandChart } from "./charts.ts";
import { DEJAVU_FONT_FILES, renderPng, renderSvg, resolveFontFiles } from "./render.ts";
import { darkPixels, decodePng, parseXml, pngSize } from "./_testing.ts";

const rows = [0, 1].flatMap((seed) =>
  [0, 1, 2].map((epoch) => ({ seed, epoch, loss: 1 / (epoch + 1) + 0.1 * seed }))
);

async function chartSvg(): Promise<{ svg: string; width: number; height: number }> {
  const svg = await renderSvg(lineBandChart({ rows, x: "epoch", y: "loss", title: "Loss" }));
  const root = parseXml(svg);
  return { svg, width: Number(root.attrs.width), height: Number(root.attrs.height) };
}

Deno.test("renderPng writes a PNG of the asked width and the SVG's aspect ratio", async () => {
  const { svg, width, height } = await chartSvg();
  assert.ok(width > 500 && height > 300, `${width}×${height}`);
  const png = renderPng(svg, { width: 640, fontFiles: DEJAVU_FONT_FILES });
  assert.deepEqual(pngSize(png), { width: 640, height: Math.round((height * 640) / width) });
  // Default: twice the SVG's size.
  assert.deepEqual(pngSize(renderPng(svg, { fontFiles: DEJAVU_FONT_FILES })), {
    width: 2 * width,
    height: 2 * height,
  });
  const img = await decodePng(png);
  assert.equal(img.rgba.length, 640 * img.height * 4);
});

Deno.test("renderPng draws text with the system's DejaVu Sans", async () => {
  const fontFiles = DEJAVU_FONT_FILES;
  const blank =
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="white"/>';
  const withText =
    `${blank}<text x="10" y="40" font-family="sans-serif" font-size="28" fill="black">Hello</text></svg>`;
  const unknownFamily = withText.replace("sans-serif", "No Such Font, Helvetica");
  assert.equal(
    darkPixels(await decodePng(renderPng(`${blank}</svg>`, { width: 200, fontFiles }))),
    0,
  );
  const drawn = darkPixels(await decodePng(renderPng(withText, { width: 200, fontFiles })));
  // "Hello" at 28 px covers a few hundred dark pixels; without a font it would cover none.
  assert.ok(drawn > 150, `only ${drawn} dark pixels`);
  assert.ok(
    darkPixels(await decodePng(renderPng(unknownFamily, { width: 200, fontFiles }))) > 150,
  );
});

Deno.test("renderPng and renderSvg reject bad input with one-line errors", async () => {
  const { svg } = await chartSvg();
  const fontFiles = DEJAVU_FONT_FILES;
  assert.throws(
    () => renderPng(svg, { width: 0, fontFiles }),
    /PNG width 0 is not valid: expected a positive integer/,
  );
  assert.throws(
    () => renderPng(svg, { fontFiles: [] }),
    /^Error: No font to draw text with: expected at least one font file in fontFiles$/,
  );
  assert.throws(() => renderPng("<svg", { width: 10, fontFiles }), /Cannot read the SVG/);
  await assert.rejects(
    () => renderSvg({ mark: "nonsense" }),
    /Cannot compile the Vega-Lite spec|Invalid/,
  );
});

Deno.test("resolveFontFiles checks the named files or picks the DejaVu files that exist", () => {
  const disk = (...files: string[]) => (path: string) => files.includes(path);
  const [regular, bold] = DEJAVU_FONT_FILES as [string, string];
  assert.deepEqual(resolveFontFiles(undefined, disk(regular, bold)), [regular, bold]);
  assert.deepEqual(resolveFontFiles([], disk(bold)), [bold]);
  assert.deepEqual(resolveFontFiles(["a.ttf", "b.otf"], disk("a.ttf", "b.otf")), [
    "a.ttf",
    "b.otf",
  ]);
  assert.throws(
    () => resolveFontFiles(["a.ttf", "/nope.ttf"], disk("a.ttf", regular)),
    /^Error: Font file "\/nope.ttf" not found: expected a \.ttf or \.otf file$/,
  );
  assert.throws(
    () => resolveFontFiles(undefined, disk()),
    /^Error: No font to draw text with: expected ".*DejaVuSans\.ttf" \(apt-get install fonts-dejavu-core\) or the fontFiles option$/,
  );
});
