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
  const byHeight = renderPng(svg, { height: 300, fontFiles: DEJAVU_FONT_FILES });
  assert.deepEqual(pngSize(byHeight), { width: Math.round((width * 300) / height), height: 300 });
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
    /^Error: PNG width 0 is not valid: expected a whole number of pixels from 1 to 8192$/,
  );
  // Sizes are bounded: no side above 8192 pixels, asked for or implied by the aspect ratio.
  assert.throws(
    () => renderPng(svg, { width: 8193, fontFiles }),
    /^Error: PNG width 8193 is not valid: expected a whole number of pixels from 1 to 8192$/,
  );
  assert.throws(
    () => renderPng(svg, { height: 1e6, fontFiles }),
    /^Error: PNG height 1000000 is not valid: expected a whole number of pixels from 1 to 8192$/,
  );
  assert.throws(
    () => renderPng(svg, { width: 100, height: 100, fontFiles }),
    /^Error: PNG width 100 and height 100 are both given: expected one of them/,
  );
  // A 10 × 5000 SVG asked 20 wide would be 10000 high; twice a 5000-wide SVG is 10000 wide.
  const tall = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5000"/>';
  assert.throws(
    () => renderPng(tall, { width: 20, fontFiles }),
    /^Error: PNG of 20 × 10000 pixels is too large: expected at most 8192 pixels a side/,
  );
  const wide = '<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="10"/>';
  assert.throws(
    () => renderPng(wide, { fontFiles }),
    /^Error: PNG of 10000 × 20 pixels is too large/,
  );
  assert.deepEqual(pngSize(renderPng(wide, { width: 8192, fontFiles })), {
    width: 8192,
    height: Math.round(10 * 8192 / 5000),
  });
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
