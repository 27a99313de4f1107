import assert from "node:assert/strict";
import { columnTitle, groupChart, lineBandChart, scatterChart } from "./charts.ts";
import { renderSvg } from "./render.ts";
import type { Row } from "./rows.ts";
import { byClass, findAll, parseXml, pathVertices, textOf, type XmlNode } from "./_testing.ts";

// Accuracy of two rules over three seeds and epochs 0..2, with hand-computed statistics:
// bp: epoch 1 → 0.5, 0.6, 0.7 (mean 0.6, s 0.1); epoch 2 → 0.7, 0.8, 0.9 (mean 0.8, s 0.1)
// fa: epoch 1 → 0.3, 0.4, 0.5 (mean 0.4, s 0.1); epoch 2 → 0.5, 0.5, 0.8 (mean 0.6, s √0.03)
const table: Record<string, number[][]> = {
  bp: [[0.1, 0.1, 0.1], [0.5, 0.6, 0.7], [0.7, 0.8, 0.9]],
  fa: [[0.1, 0.1, 0.1], [0.3, 0.4, 0.5], [0.5, 0.5, 0.8]],
};
const rows: Row[] = [];
for (const [rule, epochs] of Object.entries(table)) {
  epochs.forEach((seeds, epoch) =>
    seeds.forEach((acc, seed) =>
      rows.push({ trial: `${rule}${seed}`, "rule.name": rule, seed, epoch, acc })
    )
  );
}
const MEANS: Record<string, number[]> = { bp: [0.1, 0.6, 0.8], fa: [0.1, 0.4, 0.6] };
const STDS: Record<string, number[]> = { bp: [0, 0.1, 0.1], fa: [0, 0.1, Math.sqrt(0.03)] };

function legendLabels(svg: XmlNode): string[] {
  return byClass(svg, "role-legend-label").flatMap((g) => findAll(g, (n) => n.name === "text")).map(
    textOf,
  );
}

function seriesPaths(svg: XmlNode, cls: string): XmlNode[] {
  return byClass(svg, cls).flatMap((g) => g.children.filter((c) => c.name === "path"));
}

/** The series name a Vega path carries in its aria-label ("…; series: bp"). */
function seriesOf(path: XmlNode): string {
  const m = /series: ([^;]*)$/.exec(path.attrs["aria-label"] ?? "");
  assert.ok(m, `no series in ${path.attrs["aria-label"]}`);
  return m[1]!;
}

async function lineSvg(band: "std" | "sem" | "none", logY = false): Promise<XmlNode> {
  const spec = lineBandChart({
    rows,
    x: "epoch",
    y: "acc",
    group: "rule.name",
    band,
    logY,
    title: "Accuracy of two rules",
    yTitle: "Test accuracy (fraction)",
  });
  return parseXml(await renderSvg(spec));
}

Deno.test("lineBandChart SVG parses and holds one line and one band per group with legend labels", async () => {
  const svg = await lineSvg("std");
  assert.equal(svg.name, "svg");
  const lines = seriesPaths(svg, "mark-line");
  assert.deepEqual(lines.map(seriesOf), ["bp", "fa"]);
  assert.deepEqual(seriesPaths(svg, "mark-area").map(seriesOf), ["bp", "fa"]);
  assert.deepEqual(legendLabels(svg), ["bp", "fa"]);
  assert.equal(textOf(byClass(svg, "role-legend-title")[0]!), "Rule");
  assert.deepEqual(byClass(svg, "role-axis-title").map(textOf).sort(), [
    "Epoch",
    "Test accuracy (fraction)",
  ]);
  assert.equal(textOf(byClass(svg, "role-title-text")[0]!), "Accuracy of two rules");
  assert.equal(
    textOf(byClass(svg, "role-title-subtitle")[0]!),
    "Mean over trials (n = 3 per point), band ± 1 sample std",
  );
  // Distinct colours, the same as the legend's symbols.
  const strokes = lines.map((p) => p.attrs.stroke);
  assert.notEqual(strokes[0], strokes[1]);
  const symbols = seriesPaths(svg, "role-legend-symbol").map((p) => p.attrs.stroke);
  assert.deepEqual(symbols, strokes);
  // A dot per mean (3 epochs × 2 rules).
  assert.equal(
    seriesPaths(svg, "role-mark").filter((p) => p.attrs["aria-roledescription"] === "point").length,
    6,
  );
});

Deno.test("lineBandChart plots the hand-computed means and ± std band", async () => {
  const svg = await lineSvg("std");
  const lines = Object.fromEntries(
    seriesPaths(svg, "mark-line").map((p) => [seriesOf(p), pathVertices(p.attrs.d!)]),
  );
  const bp = lines.bp!, fa = lines.fa!;
  assert.equal(bp.length, 3);
  assert.equal(fa.length, 3);
  // Epochs 0, 1, 2 are equally spaced.
  assert.ok(Math.abs(bp[1]![0] - (bp[0]![0] + bp[2]![0]) / 2) < 0.01);
  // The y pixel is linear in the value: fix the map on bp's first and last means, check the rest.
  const slope = (bp[2]![1] - bp[0]![1]) / (0.8 - 0.1);
  const px = (v: number) => bp[0]![1] + slope * (v - 0.1);
  assert.ok(slope < 0, "larger values are drawn higher");
  for (const [name, pts] of [["bp", bp], ["fa", fa]] as const) {
    pts.forEach(([, y], i) =>
      assert.ok(Math.abs(y - px(MEANS[name]![i]!)) < 0.01, `${name} epoch ${i}: ${y}`)
    );
  }
  // Each band spans mean ± s: its two edges at epoch i are 2·s·|slope| apart.
  for (const area of seriesPaths(svg, "mark-area")) {
    const name = seriesOf(area);
    const pts = pathVertices(area.attrs.d!);
    const line = lines[name]!;
    line.forEach(([x], i) => {
      const ys = pts.filter(([ax]) => Math.abs(ax - x) < 0.01).map(([, y]) => y);
      assert.equal(ys.length, 2, `${name} band at epoch ${i}`);
      const height = Math.abs(ys[0]! - ys[1]!);
      assert.ok(
        Math.abs(height - 2 * STDS[name]![i]! * Math.abs(slope)) < 0.02,
        `${name} band ${i}: ${height}`,
      );
    });
  }
});

Deno.test("lineBandChart band sem is std/√n wide; band none draws no band", async () => {
  const svg = await lineSvg("sem");
  const fa = seriesPaths(svg, "mark-line").find((p) => seriesOf(p) === "fa")!;
  const line = pathVertices(fa.attrs.d!);
  const bp = pathVertices(
    seriesPaths(svg, "mark-line").find((p) => seriesOf(p) === "bp")!.attrs.d!,
  );
  const slope = (bp[2]![1] - bp[0]![1]) / (0.8 - 0.1);
  const area = pathVertices(
    seriesPaths(svg, "mark-area").find((p) => seriesOf(p) === "fa")!.attrs.d!,
  );
  const ys = area.filter(([x]) => Math.abs(x - line[2]![0]) < 0.01).map(([, y]) => y);
  assert.ok(Math.abs(Math.abs(ys[0]! - ys[1]!) - 2 * Math.sqrt(0.03 / 3) * Math.abs(slope)) < 0.02);
  assert.match(textOf(byClass(svg, "role-title-subtitle")[0]!), /band ± 1 standard error/);
  const none = await lineSvg("none");
  assert.equal(byClass(none, "mark-area").length, 0);
  assert.equal(seriesPaths(none, "mark-line").length, 2);
});

Deno.test("lineBandChart with log y places values linearly in log10", async () => {
  const svg = await lineSvg("none", true);
  const lines = Object.fromEntries(
    seriesPaths(svg, "mark-line").map((p) => [seriesOf(p), pathVertices(p.attrs.d!)]),
  );
  const bp = lines.bp!, fa = lines.fa!;
  const slope = (bp[2]![1] - bp[0]![1]) / (Math.log10(0.8) - Math.log10(0.1));
  const px = (v: number) => bp[0]![1] + slope * (Math.log10(v) - Math.log10(0.1));
  assert.ok(Math.abs(bp[1]![1] - px(0.6)) < 0.01);
  assert.ok(Math.abs(fa[1]![1] - px(0.4)) < 0.01);
  assert.ok(Math.abs(fa[2]![1] - px(0.6)) < 0.01);
});

Deno.test("lineBandChart without a group draws one line and no legend", async () => {
  const spec = lineBandChart({ rows, x: "epoch", y: "acc", title: "All" });
  const svg = parseXml(await renderSvg(spec));
  assert.equal(seriesPaths(svg, "mark-line").length, 1);
  assert.equal(byClass(svg, "role-legend").length, 0);
  // Mean over all six trials at epoch 2: (0.7+0.8+0.9+0.5+0.5+0.8)/6 = 0.7.
  const values = (spec.data as { values: { x: number; mean: number }[] }).values;
  assert.ok(Math.abs(values.find((v) => v.x === 2)!.mean - 0.7) < 1e-12);
});

Deno.test("scatterChart draws one point per row and, with a summary, a mean line and error bars", async () => {
  const points: Row[] = [];
  for (const depth of [1, 2, 4]) {
    for (const seed of [0, 1]) {
      points.push({ depth, rule: "bp", seed, align: 1 - 0.1 * depth + 0.02 * seed });
      points.push({ depth, rule: "pc", seed, align: 0.9 + 0.02 * seed });
    }
  }
  const plain = parseXml(
    await renderSvg(
      scatterChart({ rows: points, x: "depth", y: "align", group: "rule", title: "Alignment" }),
    ),
  );
  const dots = byClass(plain, "mark-symbol").filter((g) => g.attrs.class!.includes("role-mark"))
    .flatMap((g) => g.children.filter((c) => c.name === "path"));
  assert.equal(dots.length, 12);
  assert.deepEqual(legendLabels(plain), ["bp", "pc"]);
  const withMean = parseXml(
    await renderSvg(
      scatterChart({
        rows: points,
        x: "depth",
        y: "align",
        group: "rule",
        summary: "std",
        title: "Alignment",
      }),
    ),
  );
  assert.equal(seriesPaths(withMean, "mark-line").length, 2);
  const bars = byClass(withMean, "mark-rule").filter((g) => g.attrs.class!.includes("role-mark"))
    .flatMap((g) => g.children.filter((c) => c.name === "line"));
  assert.equal(bars.length, 6); // 3 depths × 2 rules
});

Deno.test("groupChart bars are as tall as the hand-computed means, one per category and group", async () => {
  const r: Row[] = [
    { lr: 0.1, rule: "bp", err: 0.2 },
    { lr: 0.1, rule: "bp", err: 0.4 }, // mean 0.3
    { lr: 0.1, rule: "pc", err: 0.1 }, // mean 0.1
    { lr: 0.01, rule: "bp", err: 0.5 }, // mean 0.5
    { lr: 0.01, rule: "pc", err: 0.2 },
    { lr: 0.01, rule: "pc", err: 0.6 }, // mean 0.4
  ];
  const svg = parseXml(
    await renderSvg(
      groupChart({ rows: r, category: "lr", y: "err", group: "rule", title: "Error" }),
    ),
  );
  const rects = seriesPaths(svg, "mark-rect");
  assert.equal(rects.length, 4);
  const heights = new Map<string, number>();
  for (const p of rects) {
    const m = /^M(-?[\d.]+),(-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h/.exec(p.attrs.d!);
    assert.ok(m, String(p.attrs.d));
    const cat = /^Lr: ([^;]*)/.exec(p.attrs["aria-label"]!)![1]!;
    heights.set(`${cat}/${seriesOf(p)}`, Number(m[4]));
  }
  // Bars start at zero, so height ∝ mean.
  const k = heights.get("0.1/bp")! / 0.3;
  for (const [key, mean] of [["0.1/pc", 0.1], ["0.01/bp", 0.5], ["0.01/pc", 0.4]] as const) {
    assert.ok(Math.abs(heights.get(key)! - k * mean) < 0.02, `${key}: ${heights.get(key)}`);
  }
  assert.deepEqual(legendLabels(svg), ["bp", "pc"]);
  // Category order on the axis is numeric: 0.01 before 0.1.
  const labels = byClass(svg, "role-axis-label").flatMap((g) =>
    findAll(g, (n) => n.name === "text")
  ).map(textOf);
  assert.ok(labels.indexOf("0.01") < labels.indexOf("0.1"));
  const asPoints = parseXml(
    await renderSvg(
      groupChart({ rows: r, category: "lr", y: "err", group: "rule", mark: "point", title: "E" }),
    ),
  );
  assert.equal(byClass(asPoints, "mark-rect").length, 0);
});

Deno.test("charts reject empty rows, unknown columns and non-numeric data with one-line errors", () => {
  assert.throws(
    () => lineBandChart({ rows: [], x: "epoch", y: "acc", title: "t" }),
    /Cannot draw "acc" against "epoch": no rows/,
  );
  assert.throws(
    () => lineBandChart({ rows, x: "epoch", y: "nope", title: "t" }),
    /no row has column "nope"/,
  );
  assert.throws(
    () => scatterChart({ rows: [{ a: "x", b: 1 }], x: "a", y: "b", title: "t" }),
    /no row has numbers in both columns/,
  );
  assert.throws(
    () => groupChart({ rows, category: "rule.name", y: "missing", title: "t" }),
    /no row has column "missing"/,
  );
});

Deno.test("columnTitle gives words and units", () => {
  assert.equal(columnTitle("epoch"), "Epoch");
  assert.equal(columnTitle("summary.wall_s"), "Wall time (s)");
  assert.equal(columnTitle("mean_test_error"), "Mean test error (fraction wrong)");
  assert.equal(columnTitle("rule.gamma"), "Rule gamma");
});

Deno.test("a group keeps its colour when another group has no data for a metric", async () => {
  const both = parseXml(
    await renderSvg(lineBandChart({ rows, x: "epoch", y: "acc", group: "rule.name", title: "t" })),
  );
  const faOnly = rows.map((r) => (r["rule.name"] === "bp" ? { ...r, acc: null } : r));
  const one = parseXml(
    await renderSvg(
      lineBandChart({ rows: faOnly, x: "epoch", y: "acc", group: "rule.name", title: "t" }),
    ),
  );
  const stroke = (svg: XmlNode) =>
    Object.fromEntries(seriesPaths(svg, "mark-line").map((p) => [seriesOf(p), p.attrs.stroke]));
  assert.deepEqual(Object.keys(stroke(one)), ["fa"]);
  assert.equal(stroke(one).fa, stroke(both).fa);
  assert.deepEqual(legendLabels(one), ["fa"]);
});
